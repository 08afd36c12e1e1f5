"""The decision rule, against hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from gqr._decision import REASONS
from gqr._errors import InvalidInputError
from gqr._policy import decide

STRICT = ["law", "finance", "healthcare"]
GUARDED = [*STRICT, "off_topic", "unsafe", "other_language"]
TAU = {"law": 0.5, "finance": 0.6, "healthcare": 0.5}


def test_strict_routes_above_threshold_and_rejects_below() -> None:
    scores = np.array([[0.9, 0.1, 0.2], [0.1, 0.55, 0.2], [0.2, 0.3, 0.4]])
    label, reason, conf = decide(scores, STRICT, TAU)
    assert label.tolist() == [0, 3, 3]
    assert [REASONS[r] if r >= 0 else None for r in reason] == [None, "low_confidence", "low_confidence"]
    assert conf.tolist() == pytest.approx([0.9, 0.45, 0.6])


def test_guarded_reject_output_wins_and_names_the_reason() -> None:
    scores = np.array(
        [
            [0.7, 0.0, 0.0, 0.1, 0.2, 0.0],  # routed to law
            [0.7, 0.0, 0.0, 0.1, 0.8, 0.0],  # unsafe beats law
            [0.1, 0.0, 0.0, 0.0, 0.0, 0.9],  # other language
            [0.3, 0.0, 0.0, 0.2, 0.1, 0.0],  # no domain clears its threshold, no reject output beats it
        ]
    )
    label, reason, conf = decide(scores, GUARDED, TAU)
    assert label.tolist() == [0, 3, 3, 3]
    assert [REASONS[r] if r >= 0 else None for r in reason] == [None, "unsafe", "other_language", "low_confidence"]
    assert conf.tolist() == pytest.approx([0.7, 0.8, 0.9, 0.7])


def test_shape_mismatch_is_a_clear_error() -> None:
    with pytest.raises(InvalidInputError, match=r"expected scores of shape \[batch, 6\], got \(1, 3\)"):
        decide(np.zeros((1, 3)), GUARDED, TAU)
