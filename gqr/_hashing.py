"""Many int64 keys at once, for the batch featurizer (numpy, no Python loop per key).

:class:`IntMap` looks keys up in an open-addressing hash table in two passes over the keys: two to three times
faster than a sorted search. :func:`first_occurrences` sorts:
the featurizer's keys come grouped by text, and a stable sort of such runs beat the hash table (39 vs 57 ms for the
bench texts).
"""

from __future__ import annotations

import numpy as np

from gqr._errors import InvalidInputError

__all__ = ["IntMap", "first_occurrences"]

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of key * 2**64 / phi
_EMPTY = -1


def first_occurrences(keys: np.ndarray) -> np.ndarray:
    """Boolean mask over int64 ``keys``: ``True`` at the first position of each distinct key."""
    order = np.argsort(keys, kind="stable")  # equal keys stay in position order; runs of sorted input are cheap
    ranked = keys[order]
    first = np.empty(len(keys), dtype=bool)
    first[order[:1]] = True
    first[order[1:]] = ranked[1:] != ranked[:-1]
    return first


class IntMap:
    """A read-only map from distinct non-negative int64 keys to int64 values, looked up many keys at a time."""

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        keys = np.asarray(keys, dtype=np.int64)
        if len(keys) and keys.min() < 0:
            raise InvalidInputError(f"expected non-negative keys, got {int(keys.min())}")
        owner, first, self._bits = _place(keys)
        if not first.all():
            raise InvalidInputError(f"expected distinct keys, got {len(keys) - int(first.sum())} repeated")
        filled = owner < len(keys)
        self._keys = np.full(len(owner), _EMPTY, dtype=np.int64)
        self._keys[filled] = keys[owner[filled]]
        self._values = np.zeros(len(owner), dtype=np.int64)
        self._values[filled] = np.asarray(values, dtype=np.int64)[owner[filled]]
        slot = np.flatnonzero(filled)
        # the farthest any key sits past its home slot: a key that is not in that reach is not in the map
        self._reach = int(((slot - _slots(self._keys[slot], self._bits)) & (len(owner) - 1)).max(initial=0))

    def get(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(found, values)``: which ``queries`` are keys of the map, and their values (``found`` positions only).

        Two passes: each query's home slot (where most keys are), then, for the queries whose home slot holds
        another key, all the slots of the map's reach at once (keys are distinct, so any match is the one).
        """
        queries = np.asarray(queries, dtype=np.int64)
        slot = _slots(queries, self._bits)
        key = self._keys[slot]
        found = key == queries
        values = self._values[slot]
        pending = np.flatnonzero(~found & (key != _EMPTY))
        if len(pending) and self._reach:
            window = (slot[pending, None] + np.arange(1, self._reach + 1)) & (len(self._keys) - 1)
            hit = self._keys[window] == queries[pending, None]
            row = np.flatnonzero(hit.any(axis=1))
            found[pending[row]] = True
            values[pending[row]] = self._values[window[row, hit[row].argmax(axis=1)]]
        return found, values[found]


def _slots(keys: np.ndarray, bits: int) -> np.ndarray:
    return ((keys.astype(np.uint64) * _MULTIPLIER) >> np.uint64(64 - bits)).astype(np.int64)


def _place(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Insert every position of ``keys`` into a table of at least twice as many slots, linear probing.

    Returns ``(owner, first, bits)``: the position owning each slot (``len(keys)`` when empty), whether each
    position is the first of its key, and the table size as a power of two. Positions with equal keys probe the
    same slots in step, so the smallest of them takes the slot and the others are found to be repeats.
    """
    n = len(keys)
    bits = max(4, (2 * n).bit_length())
    mask = (1 << bits) - 1
    owner = np.full(1 << bits, n, dtype=np.int64)
    first = np.zeros(n, dtype=bool)
    pending = np.arange(n)
    slot = _slots(keys, bits)
    while len(pending):
        empty = owner[slot] == n
        np.minimum.at(owner, slot[empty], pending[empty])
        held_by = owner[slot]
        first[pending[held_by == pending]] = True
        go_on = keys[held_by] != keys[pending]  # another key holds the slot: probe the next one
        pending, slot = pending[go_on], (slot[go_on] + 1) & mask
    return owner, first, bits
