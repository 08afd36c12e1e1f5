"""The semantic prior's word vectors: the same from a cold cache as from a warm one (so trainings reproduce)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gqr.train._prior import encode_words


def test_cold_and_warm_cache_give_the_same_vectors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GQR_CACHE_DIR", str(tmp_path))
    words = ["landlord", "tenant", "ibuprofen", "mortgage"]
    cold = encode_words(words)
    assert list(tmp_path.iterdir())  # the cache was written
    warm = encode_words(list(reversed(words)))[::-1]
    assert cold.dtype == warm.dtype == np.float32
    assert np.array_equal(cold, warm)
