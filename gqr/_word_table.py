"""Word-level lookup tables that let :meth:`gqr._featurize.Featurizer.transform` featurize a batch with numpy.

Each token (found by :mod:`gqr._batch_tokens`) is mapped to a small integer, a table row: by its exact key with
numpy for the whole batch, or (a token without a key, or a key not indexed yet) by one dict lookup of its text.
Everything after that (unigram and character n-gram ids, bigram ids, per-text de-duplication) is a handful of array
operations for the whole batch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from gqr._batch_tokens import TokenIndex, Tokens, word_keys
from gqr._hashing import IntMap

__all__ = ["WordTable"]

_NO_WORD = -1


class WordTable:
    """Each token seen gets a row: its unigram feature ids (the word, or its character n-grams) and its bigram slot.

    ``bigrams`` maps a first word to the ids of its bigram features by second word (the featurizer's table);
    ``entry(token)`` gives ``(norm, ids, ...)`` exactly as the one-text path computes it, so both paths agree;
    ``words`` maps the vocabulary's words to their ids: they have rows from the start, and the ASCII ones are found
    by their exact keys (:mod:`gqr._batch_tokens`) without making a Python string per token.
    """

    def __init__(
        self,
        bigrams: dict[str, dict[str, int]],
        entry: Callable[[str], tuple[Any, ...]],
        words: dict[str, int],
    ) -> None:
        self._entry = entry
        pairs = [(a, b, i) for a, following in bigrams.items() for b, i in following.items()]
        slot: dict[str, int] = {}  # normal form -> its index among the words of bigram features
        for a, b, _ in pairs:
            slot.setdefault(a, len(slot))
            slot.setdefault(b, len(slot))
        self._slot = slot
        self._n_slots = max(1, len(slot))
        keys = np.array([slot[a] * self._n_slots + slot[b] for a, b, _ in pairs], dtype=np.int64)
        self._bigram_ids = IntMap(keys, np.array([i for _, _, i in pairs], dtype=np.int64))
        self._words = list(words)
        n = len(self._words)
        self._word_arrays = _Arrays(
            starts=np.arange(n, dtype=np.int64),
            lengths=np.ones(n, dtype=np.int64),
            slots=np.array([slot.get(w, _NO_WORD) for w in self._words], dtype=np.int64),
            ids=np.fromiter(words.values(), dtype=np.int64, count=n),
        )
        self._word_keys = word_keys(self._words)  # rows of the keyed words = their positions
        self._lock = threading.Lock()
        self._clear()

    def _clear(self) -> None:
        self._row = _Rows(self._words)
        self._arrays = self._word_arrays
        self._index = TokenIndex(*self._word_keys)

    def rows(self, tokens: Tokens, max_rows: int) -> tuple[np.ndarray, _Arrays]:
        """Table rows of ``tokens`` (new tokens are added), and the arrays that hold them. A table that has grown
        past ``max_rows`` rows is emptied first (the vocabulary's words and the bigram tables are kept), so memory
        stays bounded.

        A token is found by its exact key where the key index has it, else by its text (and its key is indexed).
        Thread-safe: rows are assigned and published under a lock, and the arrays are swapped as one immutable
        snapshot, so a reader never sees a half-grown table.
        """
        with self._lock:
            if len(self._row) > max_rows:
                self._clear()
            rows = self._index.find(tokens.low, tokens.high)
            rows[~tokens.keyed] = -1  # a meaningless key may match a word
            miss = np.flatnonzero(rows < 0)
            if len(miss):
                starts, ends = tokens.starts[miss].tolist(), tokens.ends[miss].tolist()
                get, joined = self._row.__getitem__, tokens.joined
                found = np.fromiter(
                    (get(joined[a:b]) for a, b in zip(starts, ends, strict=True)), dtype=np.int64, count=len(miss)
                )
                rows[miss] = found
                keyed = tokens.keyed[miss]
                self._index.add(tokens.low[miss][keyed], tokens.high[miss][keyed], found[keyed])
            if self._row.new:
                self._arrays = self._grown(self._row.new)
                self._row.new = []
            return rows, self._arrays

    def _grown(self, tokens: list[str]) -> _Arrays:
        old = self._arrays
        entries = [self._entry(t) for t in tokens]
        lengths = np.array([len(e[1]) for e in entries], dtype=np.int64)
        return _Arrays(
            starts=np.concatenate([old.starts, len(old.ids) + np.cumsum(lengths) - lengths]),
            lengths=np.concatenate([old.lengths, lengths]),
            slots=np.concatenate([old.slots, [self._slot.get(e[0], _NO_WORD) for e in entries]]),
            ids=np.concatenate([old.ids, np.fromiter((i for e in entries for i in e[1]), np.int64)]),
        )

    @staticmethod
    def unigrams(rows: np.ndarray, arrays: _Arrays) -> tuple[np.ndarray, np.ndarray]:
        """``(ids, token)``: every unigram / character n-gram id of the tokens at table ``rows``, in token order,
        with the position of the token it came from."""
        lengths = arrays.lengths[rows]
        total = int(lengths.sum())
        token = np.repeat(np.arange(len(rows)), lengths)
        source = np.repeat(arrays.starts[rows] - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)
        return arrays.ids[source], token

    def bigrams(self, rows: np.ndarray, arrays: _Arrays, same_text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(ids, token)``: the ids of known bigrams of neighbouring tokens (``same_text[k]`` says tokens ``k`` and
        ``k + 1`` belong to one text), with the position of each bigram's first token."""
        first, second = arrays.slots[rows[:-1]], arrays.slots[rows[1:]]
        token = np.flatnonzero(same_text & (first != _NO_WORD) & (second != _NO_WORD))
        found, ids = self._bigram_ids.get(first[token] * self._n_slots + second[token])
        return ids, token[found]


class _Arrays(NamedTuple):
    """Per table row: where its ids start in ``ids``, how many it has, its bigram slot (or -1)."""

    starts: np.ndarray
    lengths: np.ndarray
    slots: np.ndarray
    ids: np.ndarray


class _Rows(dict[str, int]):
    """Token -> table row; an unseen token gets the next row and is queued in ``new`` (a C-speed lookup on hits).
    The ``words`` given hold rows 0, 1, ... from the start."""

    def __init__(self, words: list[str]) -> None:
        super().__init__(zip(words, range(len(words)), strict=True))
        self.new: list[str] = []

    def __missing__(self, token: str) -> int:
        row = self[token] = len(self)
        self.new.append(token)
        return row
