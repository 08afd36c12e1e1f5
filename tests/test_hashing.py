"""The vectorised hash tables of the batch featurizer, against numpy's sort-based answers."""

from __future__ import annotations

import numpy as np
import pytest

from gqr import _hashing as hashing
from gqr._hashing import IntMap, first_occurrences


def _reference_first(keys: np.ndarray) -> np.ndarray:
    first = np.zeros(len(keys), dtype=bool)
    first[np.unique(keys, return_index=True)[1]] = True
    return first


@pytest.mark.parametrize("n", [0, 1, 2, 17, 5000])
def test_first_occurrences_marks_the_first_of_each_key(n: int) -> None:
    rng = np.random.default_rng(n)
    keys = rng.integers(0, max(1, n // 3), n) * 1_000_003 + 7  # many repeats, spread over a large range
    assert np.array_equal(first_occurrences(keys), _reference_first(keys))


def test_exact_when_every_key_hashes_to_the_same_slot(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worst case for linear probing: one long run of occupied slots."""
    monkeypatch.setattr(hashing, "_slots", lambda keys, bits: np.full(len(keys), 3, dtype=np.int64))
    rng = np.random.default_rng(1)
    keys = rng.integers(0, 60, 400)
    assert np.array_equal(first_occurrences(keys), _reference_first(keys))
    distinct = np.unique(keys)
    found, values = IntMap(distinct, distinct * 2).get(np.arange(80))
    assert found.tolist() == np.isin(np.arange(80), distinct).tolist()
    assert values.tolist() == (distinct * 2).tolist()


def test_int_map_finds_exactly_its_keys() -> None:
    rng = np.random.default_rng(2)
    keys = np.unique(rng.integers(0, 10**12, 3000))
    values = rng.integers(1, 10**9, len(keys))
    table = IntMap(keys, values)
    queries = np.concatenate([keys, keys + 1, rng.integers(0, 10**12, 1000), keys[::-1]])
    expected = dict(zip(keys.tolist(), values.tolist(), strict=True))
    found, got = table.get(queries)
    assert found.tolist() == [q in expected for q in queries.tolist()]
    assert got.tolist() == [expected[q] for q in queries.tolist() if q in expected]
    empty_found, empty_values = IntMap(np.zeros(0, np.int64), np.zeros(0, np.int64)).get(queries)
    assert not empty_found.any() and len(empty_values) == 0


@pytest.mark.parametrize(("keys", "message"), [([3, -1], "non-negative"), ([4, 9, 4], "distinct")])
def test_int_map_rejects_bad_keys(keys: list[int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        IntMap(np.array(keys), np.arange(len(keys)))
