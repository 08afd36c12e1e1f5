"""The deterministic train / eval / test split: a stable hash of the normalised text."""

from __future__ import annotations

import hashlib

from gqr._errors import InvalidInputError
from gqr.data._clean import normalize

__all__ = ["SPLITS", "check_split", "split_of", "split_of_key"]

SPLITS: tuple[str, ...] = ("train", "eval", "test")
_CHOICES = (*SPLITS, "all")


def split_of(text: str) -> str:
    """Return ``"train"`` (80 %), ``"eval"`` (10 %) or ``"test"`` (10 %) for ``text``.

    Depends only on the normalised text (blake2b), so a text keeps its split whatever else is loaded.
    """
    if not isinstance(text, str):
        raise InvalidInputError(f"split_of expects a str, got {type(text).__name__}")
    return split_of_key(normalize(text))


def split_of_key(key: str) -> str:
    """:func:`split_of` for an already normalised text."""
    bucket = int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big") % 100
    return "train" if bucket < 80 else "eval" if bucket < 90 else "test"


def check_split(split: str) -> str:
    """Validate a ``split`` argument (``train``, ``eval``, ``test`` or ``all``)."""
    if split not in _CHOICES:
        raise InvalidInputError(f"split must be one of {_CHOICES}, got {split!r}")
    return split
