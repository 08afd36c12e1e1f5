"""Text → sparse TF-IDF features (ids + weights), shared by training and inference.

Pure Python + numpy, on the inference hot path. A text is cut to its first ``max_chars`` characters, normalized
(:func:`gqr._normalize.normalize_text`: NFKC, invisible characters, accents, homoglyphs), lowercased, read for
leetspeak against the vocabulary once there is one (:class:`gqr._normalize.LeetFolder`) and split into tokens:
runs of word characters (``\\w+``, Unicode-aware) and single other non-space characters (punctuation, emoji); at
most ``max_tokens`` tokens are kept (the rest is ignored: documented truncation).
Features are token unigrams and bigrams; a word outside the vocabulary is replaced by its character n-grams
(of the word padded with ``<`` and ``>``: ``"cann"`` gives ``#<ca``, ``#can``, ``#ann``, ``#nn>``, ...); digits are
mapped to ``0`` first. Weights are binary-tf
TF-IDF: ``idf`` of each feature present, L2-normalised per text (binary rather than sublinear tf keeps the hot path
short: queries rarely repeat a feature). Feature ids start at 1; id 0 with weight 0 is padding.

One text (:meth:`Featurizer.transform_one`) goes through a plain Python loop over its tokens; a batch
(:meth:`Featurizer.transform`) is tokenized with numpy (:mod:`gqr._batch_tokens`), each token mapped to a row of a
:class:`gqr._word_table.WordTable`, and the rest done with numpy for the whole batch. Both give the same ids in the
same order and bit-identical weights (tested).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from gqr._batch_tokens import tokenize
from gqr._errors import InvalidInputError
from gqr._hashing import first_occurrences
from gqr._normalize import LeetFolder, normalize_text
from gqr._word_table import WordTable, _Arrays

__all__ = ["Featurizer"]

_TOKEN = re.compile(r"\w+|\S")  # \S after \w+ failed: one non-space, non-word character
_ASCII_TOKEN = re.compile(r"[a-z0-9_]+|\S")  # the same tokens for lowercased ASCII text, about 20 % faster
_DIGIT = re.compile(r"\d")
_CHAR_PREFIX = "#"
_BIGRAM_SEP = " "
_KIND = "tfidf"
_FORMAT = 2  # idf as base64 of little-endian float32 (40 ms less JSON parsing for 200k features than format 1's list)
_FORMATS = (1, 2)  # format 1 (idf as a JSON list of numbers) is still read
_CACHE_MAX = 1 << 17  # words whose features are memoised at inference (beyond those seen in fit)
_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)
_CHARS_PER_TOKEN = 6  # a first look at ``max_tokens * 6`` characters usually finds enough tokens (99% of texts)

_Entry = tuple[str, tuple[int, ...], dict[str, int]]  # (norm, unigram ids, bigram ids by the next word's norm)
_NO_BIGRAMS: dict[str, int] = {}


def _findall(lowered: str) -> list[str]:
    return (_ASCII_TOKEN if lowered.isascii() else _TOKEN).findall(lowered)


class Featurizer:
    """TF-IDF over word unigrams and bigrams, with character n-grams standing in for out-of-vocabulary words.

    A word in the vocabulary gives its own feature; any other word gives the character n-grams of ``<word>`` that
    are in the vocabulary (a fastText-like back-off: foreign, misspelled or obfuscated words still carry signal,
    while known words cost one feature).

    Parameters
    ----------
    bigrams: add word bigrams.
    char_ngram_range: smallest and largest character n-gram of an unknown word; ``(0, 0)`` disables them.
    max_features: how many word unigrams + bigrams to keep (highest document frequency first).
    max_char_features: how many character n-grams to keep.
    min_df: features seen in fewer training texts are dropped.
    max_tokens: tokens per text; later tokens are ignored.
    max_chars: characters per text looked at; later characters are ignored.
    """

    _leet: LeetFolder | None = None  # set with the vocabulary: fit counts the tokens as written

    def __init__(
        self,
        *,
        bigrams: bool = True,
        char_ngram_range: tuple[int, int] = (3, 5),
        max_features: int = 12_000,
        max_char_features: int = 6_000,
        min_df: int = 2,
        max_tokens: int = 128,
        max_chars: int = 4096,
    ) -> None:
        self.bigrams = bigrams
        self.char_ngram_range = char_ngram_range
        self.max_features = max_features
        self.max_char_features = max_char_features
        self.min_df = min_df
        self.max_tokens = max_tokens
        self.max_chars = max_chars

    # ----------------------------------------------------------------------------------------------- settings
    def settings(self) -> dict[str, Any]:
        """The constructor settings as JSON-able values (what a card's ``featurizer`` holds besides the vocabulary)."""
        return {
            "bigrams": self.bigrams,
            "char_ngram_range": list(self.char_ngram_range),
            "max_features": self.max_features,
            "max_char_features": self.max_char_features,
            "min_df": self.min_df,
            "max_tokens": self.max_tokens,
            "max_chars": self.max_chars,
        }

    def validate(self) -> None:
        """Check the settings; :class:`~gqr.InvalidInputError` says which one, what was expected and what was got."""
        if not isinstance(self.bigrams, bool):
            raise InvalidInputError(f"bigrams must be a bool, got {self.bigrams!r}")
        clo, chi = self.char_ngram_range
        if (clo, chi) != (0, 0) and not (1 <= clo <= chi <= 10):
            raise InvalidInputError(
                f"char_ngram_range must be (0, 0) or 1 <= lo <= hi <= 10, got {self.char_ngram_range!r}"
            )
        for name in ("max_features", "max_char_features", "min_df", "max_tokens", "max_chars"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < (0 if "features" in name else 1):
                raise InvalidInputError(f"{name} must be a positive int, got {value!r}")

    # -------------------------------------------------------------------------------------------- tokenizing
    def tokens(self, text: str) -> list[str]:
        """The tokens features are made from: the lowercased words and other characters of ``text``, at most
        ``max_tokens`` of them (see the module docstring); ``TypeError`` for a non-str."""
        if not isinstance(text, str):
            raise TypeError(f"expected text of type str, got {type(text).__name__}")
        limit = self.max_tokens
        head = min(self.max_chars, limit * _CHARS_PER_TOKEN)
        if len(text) > head:
            # Every token found in a prefix cut after a space is whole (and so normalized as in the whole text), so
            # ``limit`` of them settle the answer.
            cut = text.rfind(" ", 0, head)
            if cut > 0:
                tokens = _findall(self._lowered(text[:cut]))
                if len(tokens) >= limit:
                    return tokens[:limit]
        tokens = _findall(self._lowered(text[: self.max_chars]))
        return tokens[:limit] if len(tokens) > limit else tokens

    def _lowered(self, text: str) -> str:
        """``text`` normalized, lowercased and read for leetspeak: what :meth:`transform` tokenizes as well."""
        lowered = (text if text.isascii() else normalize_text(text)).lower()
        return lowered if self._leet is None else self._leet(lowered)

    def _char_keys(self, norm: str) -> list[str]:
        """Character n-gram keys of a word (none for punctuation or an emoji)."""
        clo, chi = self.char_ngram_range
        if not clo or not (norm[0].isalnum() or norm[0] == "_"):
            return []
        padded = f"<{norm}>"
        size = len(padded)
        return [_CHAR_PREFIX + padded[i : i + n] for n in range(clo, min(chi, size) + 1) for i in range(size - n + 1)]

    def _word_keys(self, norms: list[str]) -> Iterable[str]:
        yield from norms
        if self.bigrams:
            for a, b in pairwise(norms):
                yield a + _BIGRAM_SEP + b

    # ------------------------------------------------------------------------------------------------- fit
    def fit(self, texts: Sequence[str]) -> Featurizer:
        """Learn the vocabulary and idf from ``texts`` (words first, then n-grams of the words left out)."""
        self.validate()
        if isinstance(texts, str) or len(texts) == 0:
            raise InvalidInputError(f"expected a non-empty sequence of texts, got {type(texts).__name__} of length 0")
        self._leet = None
        norm_of: dict[str, str] = {}
        docs = []
        for text in texts:
            tokens = self.tokens(text)
            for t in tokens:
                if t not in norm_of:
                    norm_of[t] = _DIGIT.sub("0", t)
            docs.append([norm_of[t] for t in tokens])
        by_df = lambda k: (-df[k], k)  # noqa: E731 - deterministic tie-break
        df: Counter[str] = Counter()
        for norms in docs:
            df.update(set(self._word_keys(norms)))
        words = sorted((k for k, c in df.items() if c >= self.min_df), key=by_df)[: self.max_features]
        known = set(words)
        word_df = df
        df = Counter()
        char_keys: dict[str, list[str]] = {}
        for norms in docs:
            grams: set[str] = set()
            for w in set(norms) - known:
                keys = char_keys.get(w)
                if keys is None:
                    keys = char_keys[w] = self._char_keys(w)
                grams.update(keys)
            df.update(grams)
        chars = sorted((k for k, c in df.items() if c >= self.min_df), key=by_df)[: self.max_char_features]
        n_docs = len(texts)
        idf = [math.log((1 + n_docs) / (1 + word_df[k])) + 1.0 for k in words]
        idf += [math.log((1 + n_docs) / (1 + df[k])) + 1.0 for k in chars]
        self._set_vocabulary(words + chars, idf)
        self.n_docs_ = n_docs
        return self

    def _set_vocabulary(self, keys: list[str], idf: Sequence[float] | np.ndarray) -> None:
        self.vocabulary_ = dict(zip(keys, range(1, len(keys) + 1), strict=True))
        # Bigram ids by first word, then by second word: a pair of tokens costs a probe of a small dict rather than
        # of the whole vocabulary (about 20 % of transform_one). Words are interned: keys compare by identity.
        self._bigrams: dict[str, dict[str, int]] = {}
        for key, i in self.vocabulary_.items():
            if _BIGRAM_SEP in key:
                a, b = key.split(_BIGRAM_SEP, 1)
                following = self._bigrams.get(a)
                if following is None:
                    following = self._bigrams[sys.intern(a)] = {}
                following[sys.intern(b)] = i
        self.idf_ = np.concatenate([[0.0], np.asarray(idf, dtype=np.float32)]).astype(np.float32)  # idf_[0] = pad
        self._cache: dict[str, _Entry] = {}
        self._table: WordTable | None = None
        self._leet = LeetFolder(self.vocabulary_)

    def _entry(self, token: str) -> _Entry:
        """``(norm, ids, following)`` of a token: its normal form, its unigram feature ids (the word's, or its
        n-grams'), and the ids of the bigrams it starts, by the next word's normal form."""
        norm = _DIGIT.sub("0", token)
        vocab = self.vocabulary_
        known = vocab.get(norm)
        if not known and self._leet is not None and "0" in norm:
            read = self._leet.word(token)  # leetspeak: "k1ll" is "kill"
            if read is not None:
                norm, known = read, vocab[read]
        ids = (known,) if known else tuple(i for i in map(vocab.get, self._char_keys(norm)) if i)
        norm = sys.intern(norm)
        entry = (norm, ids, self._bigrams.get(norm, _NO_BIGRAMS))
        if len(self._cache) < _CACHE_MAX:
            self._cache[token] = entry
        return entry

    @property
    def n_features(self) -> int:
        """Number of feature ids including the padding id 0."""
        return len(self.vocabulary_) + 1

    # ------------------------------------------------------------------------------------------- transform
    def transform_one(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """``(ids int64 [n], weights float32 [n])`` of one text: unique ids in first-seen order (each token's ids,
        then the known bigrams); empty when nothing is known."""
        cache = self._cache
        flat: list[int] = []
        bigram_ids = []
        after_previous = _NO_BIGRAMS  # the bigrams the previous token starts
        for token in self.tokens(text):
            norm, ids, following = cache.get(token) or self._entry(token)
            flat.extend(ids)
            i = after_previous.get(norm)
            if i:
                bigram_ids.append(i)
            after_previous = following
        flat += bigram_ids
        if not flat:
            return _EMPTY_IDS, _EMPTY_WEIGHTS
        out = np.fromiter(dict.fromkeys(flat), dtype=np.int64)
        weights = self.idf_[out]
        # Squares summed in float64 left to right (cumsum), exactly as transform's bincount does: both paths give
        # bit-identical weights (tree models split on exact values).
        weights *= np.float32(1.0 / math.sqrt(float(np.square(weights, dtype=np.float64).cumsum()[-1])))
        return out, weights

    def transform(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Zero-padded ``(ids int64 [batch, length], weights float32 [batch, length])``; length >= 1.

        Row ``k`` holds exactly what :meth:`transform_one` gives for ``texts[k]`` (same ids, same order, same
        weights), with numpy on the whole batch.
        """
        if isinstance(texts, str):
            raise TypeError("expected a sequence of texts, got a single str (use transform_one)")
        if not all(isinstance(t, str) for t in texts):
            bad = next(t for t in texts if not isinstance(t, str))
            raise TypeError(f"expected text of type str, got {type(bad).__name__}")
        m = self.max_chars
        heads = list(texts) if max(map(len, texts), default=0) <= m else [t[:m] for t in texts]
        rows, counts, arrays = self._rows(heads)
        n = len(heads)
        table = self._word_table()
        text_of = np.repeat(np.arange(n), counts)
        unigram_ids, token = table.unigrams(rows, arrays)
        ids, texts_of_ids = [unigram_ids], [text_of[token]]
        if self.bigrams and len(rows) > 1:
            bigram_ids, token = table.bigrams(rows, arrays, text_of[:-1] == text_of[1:])
            ids.append(bigram_ids)
            texts_of_ids.append(text_of[token])
        flat, text = np.concatenate(ids), np.concatenate(texts_of_ids)
        order = np.argsort(text, kind="stable")  # per text: its tokens' ids, then its bigrams' ids
        flat, text = flat[order], text[order]
        keep = first_occurrences(text * self.n_features + flat)  # the first occurrence of each id in its text
        return self._padded(flat[keep], text[keep], n)

    def _rows(self, heads: list[str]) -> tuple[np.ndarray, np.ndarray, _Arrays]:
        """Word table rows of the tokens of ``heads`` (texts cut to ``max_chars``) in text order, tokens per text,
        and the table's arrays."""
        lowered, lengths = self._lowered_batch(heads)
        tokens = tokenize(lowered, lengths, self.max_tokens, key_mixed=self._leet is None)  # "k1ll" is not "k0ll"
        rows, arrays = self._word_table().rows(tokens, _CACHE_MAX)
        return rows, tokens.counts, arrays

    def _lowered_batch(self, heads: list[str]) -> tuple[str, np.ndarray]:
        """``heads`` as :meth:`_lowered` reads each, joined by newlines, and the length of each."""
        joined = "\n".join(heads)
        if not joined.isascii():
            heads = [normalize_text(h) for h in heads]
            joined = "\n".join(heads)
        lowered = joined.lower()
        if len(lowered) != len(joined):  # a character whose lowercase is longer (only U+0130, "İ")
            heads = [h.lower() for h in heads]
            lowered = "\n".join(heads)
        if self._leet is not None:
            lowered = self._leet(lowered)  # same length
        return lowered, np.fromiter(map(len, heads), dtype=np.int64, count=len(heads))

    def _padded(self, flat: np.ndarray, text: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Padded ids and L2-normalised idf weights from the ids of ``n`` texts (``text``: sorted row of each id)."""
        lengths = np.bincount(text, minlength=n)
        column = np.arange(len(flat)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        flat_weights = self.idf_[flat]
        norms = np.sqrt(np.bincount(text, weights=np.square(flat_weights, dtype=np.float64), minlength=n))
        flat_weights *= (1.0 / norms[text]).astype(np.float32)
        width = max(1, int(lengths.max(initial=0)))
        cell = text * width + column  # flat positions: faster than 2-D fancy indexing
        ids = np.zeros(n * width, dtype=np.int64)
        weights = np.zeros(n * width, dtype=np.float32)
        ids[cell] = flat
        weights[cell] = flat_weights
        return ids.reshape(n, width), weights.reshape(n, width)

    def _word_table(self) -> WordTable:
        if self._table is None:
            words = {k: i for k, i in self.vocabulary_.items() if _BIGRAM_SEP not in k and not _is_char_key(k)}
            self._table = WordTable(self._bigrams, self._entry, words)
        return self._table

    # ---------------------------------------------------------------------------------------- serialisation
    def to_dict(self) -> dict[str, Any]:
        """JSON-able settings + vocabulary (keys in id order) + idf (base64 of little-endian float32)."""
        keys = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)
        return {
            "kind": _KIND,
            "format": _FORMAT,
            **self.settings(),
            "vocabulary": keys,
            "idf": base64.b64encode(self.idf_[1:].astype("<f4").tobytes()).decode("ascii"),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Featurizer:
        """Rebuild a fitted featurizer from :meth:`to_dict` output."""
        if not isinstance(d, dict) or d.get("kind") != _KIND or d.get("format") not in _FORMATS:
            got = {k: d.get(k) for k in ("kind", "format")} if isinstance(d, dict) else type(d).__name__
            raise InvalidInputError(f"expected a featurizer dict with kind={_KIND!r}, format in {_FORMATS}, got {got}")
        vocab, idf = d.get("vocabulary"), _idf(d)
        if not isinstance(vocab, list) or len(vocab) != len(idf):
            raise InvalidInputError(
                f"expected a 'vocabulary' list as long as 'idf' ({len(idf)} values) in the featurizer dict, "
                f"got {type(vocab).__name__} of length {len(vocab) if isinstance(vocab, list) else '-'}"
            )
        self = cls(
            bigrams=d["bigrams"],
            char_ngram_range=tuple(d["char_ngram_range"]),
            max_features=d["max_features"],
            max_char_features=d["max_char_features"],
            min_df=d["min_df"],
            max_tokens=d["max_tokens"],
            max_chars=d["max_chars"],
        )
        self.validate()
        self._set_vocabulary(vocab, idf)
        return self


def _is_char_key(key: str) -> bool:
    """Whether a vocabulary key is a character n-gram (``#`` alone is the word ``#``)."""
    return key.startswith(_CHAR_PREFIX) and len(key) > 1


def _idf(d: dict[str, Any]) -> np.ndarray:
    """The idf values of a featurizer dict: a list of numbers (format 1) or base64 of little-endian float32."""
    idf = d.get("idf")
    if d["format"] == 1 and isinstance(idf, list):
        return np.asarray(idf, dtype=np.float32)
    if d["format"] == 2 and isinstance(idf, str):
        try:
            raw = base64.b64decode(idf, validate=True)
        except binascii.Error as exc:
            raise InvalidInputError(f"expected 'idf' as base64 in the featurizer dict: {exc}") from exc
        if len(raw) % 4 == 0:
            return np.frombuffer(raw, dtype="<f4").astype(np.float32)
    raise InvalidInputError(
        f"expected 'idf' as {'a list of numbers' if d['format'] == 1 else 'base64 of float32 values'} "
        f"in a format-{d['format']} featurizer dict, got {type(idf).__name__}"
    )
