"""Tokenize a batch of texts at once with numpy: the featurizer's tokens as spans of the joined texts, with keys.

The tokens are those of the featurizer's regex (``\\w+|\\S`` on lowercased text), found from a class per
character (word, space or other) instead of a Python regex. ASCII text is classified byte by byte with
``bytes.translate``; other text as UTF-32 code points, each distinct non-ASCII character once, with the tests the
regex itself uses (``\\w`` is ``str.isalnum()`` or ``_``, ``\\s`` is ``str.isspace()``).

A token of ASCII characters only and at most :data:`KEY_BYTES` long gets an exact key: its bytes, digits mapped to
``0`` (the featurizer's normal form), as two little-endian ``uint64`` words read straight from the buffer. Other
tokens (longer, or with non-ASCII characters; with ``key_mixed=False`` also digits mixed with other characters,
whose features may depend on the digits: leetspeak) are looked up by their text.

Kept over Hugging Face ``tokenizers`` (issue 18): a ``Split`` + ``WordLevel`` pipeline gives the same features but
took 6-12 times as long for this step (2.0 s against 0.16 s for 20,000 short texts), making ``classify_batch`` 2.5-3.8
times slower; it also rejects text with lone surrogates (``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gqr._hashing import IntMap, first_occurrences

__all__ = ["KEY_BYTES", "TokenIndex", "Tokens", "capped", "tokenize", "word_keys"]

KEY_BYTES = 16
"""Longest token (in characters) with an exact key."""

_SPACE, _WORD, _OTHER = 0, 1, 2


def _kind(char: str) -> int:
    return _SPACE if char.isspace() else _WORD if char.isalnum() or char == "_" else _OTHER


_KINDS = [_kind(chr(c)) for c in range(128)]
_KIND = np.array(_KINDS, dtype=np.uint8)
_WORD_MASK = bytes(k == _WORD for k in _KINDS) + bytes(128)  # bytes.translate tables (a C loop over the bytes)
_OTHER_MASK = bytes(k == _OTHER for k in _KINDS) + bytes(128)
_NORMAL = bytes(ord("0") if chr(c).isdigit() else c for c in range(128)) + bytes(range(128, 256))  # digits -> 0
_DIGIT_MASK = bytes(chr(c).isdigit() for c in range(128)) + bytes(128)
_NOT_ASCII = 0x80  # the byte standing in for a non-ASCII character
_WIDE_KINDS: dict[int, int] = {}  # kind of each non-ASCII code point met so far
_WIDE_KINDS_MAX = 1 << 16
_LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)  # the low k bytes of a word
_PAD = b"\n" * KEY_BYTES  # lets every key read KEY_BYTES bytes past a token start
_MIX_LOW = np.uint64(0x9E3779B97F4A7C15)
_MIX_HIGH = np.uint64(0xC2B2AE3D27D4EB4F)


class Tokens(NamedTuple):
    """The tokens of a batch of lowercased texts joined by newlines into ``joined``: their ``starts`` / ``ends``
    in ``joined``, in text order; the number of tokens of each text (``counts``, after the cap per text); their
    exact keys ``low`` / ``high``, meaningful where ``keyed`` is true."""

    joined: str
    starts: np.ndarray
    ends: np.ndarray
    counts: np.ndarray
    low: np.ndarray
    high: np.ndarray
    keyed: np.ndarray


def tokenize(joined: str, lengths: np.ndarray, max_tokens: int, *, key_mixed: bool = True) -> Tokens:
    """The tokens of lowercased texts of ``lengths`` characters joined by newlines into ``joined``, at most
    ``max_tokens`` per text; ``key_mixed=False``: a token of digits and other characters gets no key."""
    if joined.isascii():
        raw = joined.encode("ascii")
        word = np.frombuffer(raw.translate(_WORD_MASK), dtype=np.int8)
        other = np.frombuffer(raw.translate(_OTHER_MASK), dtype=bool)
        wide_before = None
    else:
        points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        wide = points >= 0x80
        narrow = np.where(wide, _NOT_ASCII, points).astype(np.uint8)
        kind = _KIND[narrow & 0x7F]
        at = np.flatnonzero(wide)
        distinct, which = np.unique(points[at], return_inverse=True)
        kind[at] = _wide_kinds(distinct)[which]
        word, other = (kind == _WORD).view(np.int8), kind == _OTHER
        raw = narrow.tobytes()
        wide_before = np.concatenate([[0], np.cumsum(wide)])
    edge = np.diff(word, prepend=np.int8(0), append=np.int8(0))  # +1 where a word starts, -1 just past it
    starts = np.flatnonzero((edge[:-1] == 1) | other)
    ends = np.flatnonzero((edge[1:] == -1) | other) + 1
    keep, counts = capped(starts, lengths, max_tokens)
    if keep is not None:
        starts, ends = starts[keep], ends[keep]
    keyed = ends - starts <= KEY_BYTES
    if wide_before is not None:
        keyed &= wide_before[ends] == wide_before[starts]
    if not key_mixed:
        keyed &= ~_mixed(raw, starts, ends)
    low, high = _token_keys(raw + _PAD, starts, ends)
    return Tokens(joined, starts, ends, counts, low, high, keyed)


def capped(starts: np.ndarray, lengths: np.ndarray, max_tokens: int) -> tuple[np.ndarray | None, np.ndarray]:
    """``(keep, counts)`` for tokens starting at ``starts`` in texts of ``lengths`` characters joined by newlines:
    which tokens are among the first ``max_tokens`` of their text (``None``: all are) and how many each text keeps."""
    before_end = np.searchsorted(starts, np.cumsum(lengths + 1) - 1)  # tokens before the end of each text
    counts = np.diff(before_end, prepend=0)
    if counts.max(initial=0) <= max_tokens:
        return None, counts
    rank = np.arange(len(starts)) - np.repeat(before_end - counts, counts)
    return rank < max_tokens, np.minimum(counts, max_tokens)


def _token_keys(raw: bytes, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact keys ``(low, high)`` (``uint64``) of the normal forms of ASCII tokens of at most :data:`KEY_BYTES`
    bytes in ``raw``, which must hold :data:`KEY_BYTES` bytes past the last token. Other tokens get meaningless
    keys."""
    normal = raw.translate(_NORMAL)
    words = np.ndarray((len(normal) - 7,), dtype="<u8", buffer=normal, strides=(1,))  # the 8 bytes from each offset
    length = np.minimum(ends - starts, KEY_BYTES)
    low = words[starts] & _LOW_BYTES[np.minimum(length, 8)]
    high = words[starts + 8] & _LOW_BYTES[np.maximum(length - 8, 0)]
    return low, high


def _mixed(raw: bytes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Whether each token of ``raw`` holds an ASCII digit and another character."""
    digits = np.flatnonzero(np.frombuffer(raw.translate(_DIGIT_MASK), dtype=bool))
    token = np.searchsorted(starts, digits, side="right") - 1
    token = token[(token >= 0) & (digits < ends[np.maximum(token, 0)])]
    count = np.bincount(token, minlength=len(starts))
    return (count > 0) & (count < ends - starts)


def word_keys(words: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(low, high, at)``: the exact keys (as :func:`tokenize` gives them) of the ``words`` that have one (ASCII, at
    most :data:`KEY_BYTES` characters), and the positions of those words in ``words``."""
    at = [k for k, w in enumerate(words) if w.isascii() and len(w) <= KEY_BYTES]
    lengths = np.array([len(words[k]) for k in at], dtype=np.int64)
    ends = np.cumsum(lengths + 1) - 1  # joined by one newline each
    raw = "\n".join(words[k] for k in at).encode("ascii") + _PAD
    return (*_token_keys(raw, ends - lengths, ends), np.array(at, dtype=np.int64))


def _wide_kinds(points: np.ndarray) -> np.ndarray:
    """The kind of each non-ASCII code point (memoised for the first :data:`_WIDE_KINDS_MAX` met)."""
    kinds = []
    for point in points.tolist():
        kind = _WIDE_KINDS.get(point)
        if kind is None:
            kind = _kind(chr(point))
            if len(_WIDE_KINDS) < _WIDE_KINDS_MAX:
                _WIDE_KINDS[point] = kind
        kinds.append(kind)
    return np.array(kinds, dtype=np.uint8)


class TokenIndex:
    """Exact token keys -> rows of a word table, looked up many at a time.

    Keys are added in bulk; the hash table is rebuilt when the keys added since the last build reach a quarter of
    those in it (so adding costs amortised linear time). A key not yet in the table is simply not found.
    """

    def __init__(self, low: np.ndarray, high: np.ndarray, rows: np.ndarray) -> None:
        self._added: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._n_added = 0
        self._build(low, high, rows)

    def _build(self, low: np.ndarray, high: np.ndarray, rows: np.ndarray) -> None:
        mixed = _mix(low, high)
        first = first_occurrences(mixed)  # drops repeats (and, with odds of 2**-63 a pair, a colliding other key)
        self._low, self._high, self._rows = low[first], high[first], rows[first]
        self._map = IntMap(mixed[first], np.arange(len(self._rows)))
        self._added, self._n_added = [], 0

    def find(self, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        """The row of each key, ``-1`` where the key is not in the table."""
        found, at = self._map.get(_mix(low, high))
        rows = np.full(len(low), -1, dtype=np.int64)
        where = np.flatnonzero(found)
        same = (self._low[at] == low[where]) & (self._high[at] == high[where])
        rows[where[same]] = self._rows[at[same]]
        return rows

    def add(self, low: np.ndarray, high: np.ndarray, rows: np.ndarray) -> None:
        """Add keys with their rows (found by :meth:`find` once the table is next rebuilt)."""
        self._added.append((low, high, rows))
        self._n_added += len(rows)
        if self._n_added * 4 >= max(len(self._rows), 4096):
            parts = zip((self._low, self._high, self._rows), *self._added, strict=True)
            self._build(*(np.concatenate(part) for part in parts))


def _mix(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """A non-negative int64 hash of each key pair (collisions are told apart by comparing the keys)."""
    return ((low * _MIX_LOW + high * _MIX_HIGH) >> np.uint64(1)).astype(np.int64)  # type: ignore[operator]
