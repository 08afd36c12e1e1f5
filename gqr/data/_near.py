"""Leakage guards of the pools: near-copies of OOD test texts, and of the short-query dev set's queries.

The dev set (``gqr/data/short_queries.csv``) is read here with the csv module only to filter training text; its
rows never enter a pool.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from gqr._errors import DataNotFoundError, InvalidInputError
from gqr.data._clean import normalize

__all__ = ["DEV_SET_FILE", "HEAD_WORDS", "JACCARD", "DevSetGuard", "OodHeads", "jaccard", "read_dev_texts", "tokens"]

DEV_SET_FILE: Path = Path(__file__).with_name("short_queries.csv")
JACCARD = 0.5  # token-set Jaccard at or above which a training text is a near-duplicate of a dev query
HEAD_WORDS = 8  # a text sharing its first or last 8 normalised words with an OOD test text is a near-copy of it

_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> frozenset[str]:
    """Lower-cased ``\\w+`` tokens of ``text``."""
    return frozenset(_TOKEN.findall(text.lower()))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Token-set Jaccard similarity (0 for two empty sets)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def read_dev_texts(path: Path | None = None) -> list[str]:
    """The ``text`` column of the short-query dev set (CSV ``text,label,reason,area``)."""
    path = DEV_SET_FILE if path is None else path
    if not path.is_file():
        raise DataNotFoundError(f"short-query dev set missing: {path} (CSV with a text column)")
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if "text" not in (reader.fieldnames or ()):
            raise InvalidInputError(f"{path}: header {reader.fieldnames!r} has no 'text' column")
        return [row["text"] for row in reader if row["text"]]


class DevSetGuard:
    """Tells whether a training text equals (normalised) or nearly equals (Jaccard >= :data:`JACCARD`) a dev query."""

    def __init__(self, texts: Iterable[str]) -> None:
        self._keys = {normalize(t) for t in texts} - {""}
        self._sets = [s for s in {tokens(t) for t in texts} if s]
        self._index: dict[str, list[int]] = {}
        for i, s in enumerate(self._sets):
            for token in s:
                self._index.setdefault(token, []).append(i)

    def equals(self, key: str) -> bool:
        """``key`` (a normalised text) is a dev query's key."""
        return key in self._keys

    def near(self, text: str) -> bool:
        """``text`` has a dev query's key or shares a Jaccard >= :data:`JACCARD` token set with one."""
        if self.equals(normalize(text)):
            return True
        mine = tokens(text)
        shared = Counter(i for token in mine for i in self._index.get(token, ()))
        return any(n >= JACCARD * (len(mine) + len(self._sets[i]) - n) for i, n in shared.items())


class OodHeads:
    """First and last :data:`HEAD_WORDS` words of every long enough OOD test key: catches truncated or extended
    copies ("… i love big naps" vs "… i love big naps d i c k")."""

    def __init__(self, keys: Iterable[str]) -> None:
        self._heads: set[str] = set()
        self._tails: set[str] = set()
        for key in keys:
            words = key.split()
            if len(words) >= HEAD_WORDS:
                self._heads.add(" ".join(words[:HEAD_WORDS]))
                self._tails.add(" ".join(words[-HEAD_WORDS:]))

    def hit(self, key: str) -> bool:
        """``key`` (a normalised text) starts or ends like an OOD test text."""
        words = key.split()
        if len(words) < HEAD_WORDS:
            return False
        return " ".join(words[:HEAD_WORDS]) in self._heads or " ".join(words[-HEAD_WORDS:]) in self._tails
