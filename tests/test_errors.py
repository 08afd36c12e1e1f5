"""Errors a user can trigger from the API are ``GQRError`` subclasses (and still the matching builtin), with a
message that says what was expected and what was got."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import gqr
from gqr._featurize import Featurizer
from gqr._hashing import IntMap
from gqr._policy import decide

TEXTS = ["my landlord kept the deposit", "a loan for a house", "a fever and a cough"]


def _card(**changes: object) -> Callable[[], object]:
    from gqr.train._card import make_card

    base: dict = {
        "name": "m",
        "family": "svm",
        "variant": "guarded",
        "description": "",
        "outputs": ["law", "finance", "healthcare"],
        "thresholds": {"law": 0.5, "finance": 0.5, "healthcare": 0.5},
        "featurizer": {},
        "training": {},
    }
    return lambda: make_card(**{**base, **changes})


CASES: list[tuple[str, Callable[[], object], str]] = [
    ("decision route", lambda: gqr.Decision(route="off_topic", confidence=0.5), r"like a label .* got 'off_topic'"),
    ("decision reason", lambda: gqr.Decision(route=None, confidence=0.5), r"needs a reason in .* got None"),
    ("decision confidence", lambda: gqr.Decision(route="law", confidence=1.5), r"in \[0, 1\], got 1.5"),
    ("featurizer setting", lambda: Featurizer(max_tokens=0).fit(TEXTS), "max_tokens must be a positive int, got 0"),
    ("featurizer texts", lambda: Featurizer().fit([]), "expected a non-empty sequence of texts, got list"),
    ("featurizer dict", lambda: Featurizer.from_dict({"kind": "bag"}), r"expected a featurizer dict .* got"),
    ("policy scores", lambda: decide(np.zeros((2, 2)), ["law"], {}), r"expected scores of shape \[batch, 1\], got"),
    ("int map keys", lambda: IntMap(np.array([3, 3]), np.array([1, 2])), "expected distinct keys, got 1 repeated"),
    ("card family", _card(family="bert"), r"family must be one of .* got 'bert'"),
    ("card thresholds", _card(thresholds={"law": 2.0}), r"thresholds must map each of .* got \{'law': 2.0\}"),
]


@pytest.mark.parametrize(("what", "call", "message"), CASES, ids=[c[0] for c in CASES])
def test_api_errors_are_gqr_errors_that_say_expected_and_got(
    what: str, call: Callable[[], object], message: str
) -> None:
    with pytest.raises(gqr.InvalidInputError, match=message) as info:
        call()
    assert isinstance(info.value, gqr.GQRError) and isinstance(info.value, ValueError)
