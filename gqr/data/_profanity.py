"""The ``profanity_en`` word list: a lexicon resource (features, filtering), never training text."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from gqr._errors import InvalidInputError
from gqr.data._paths import data_dir as _data_dir
from gqr.data._paths import data_file
from gqr.data._readers import read_csv

__all__ = ["ProfaneTerm", "load_profanity"]

_SEVERITIES = frozenset({"Mild", "Strong", "Severe"})


@dataclass(frozen=True, slots=True)
class ProfaneTerm:
    """One term of the list: ``categories`` (1–3, first = main), ``severity`` Mild / Strong / Severe and the mean
    ``rating`` (1–3) behind it. A match is no evidence that a text is unsafe ("anus" is Mild)."""

    term: str
    categories: tuple[str, ...]
    severity: str
    rating: float


def load_profanity(data_dir: str | os.PathLike[str] | None = None) -> list[ProfaneTerm]:
    """Every term of ``profanity_en/profanity_en.csv`` under ``GQR_DATA_DIR`` (or ``data_dir``), in file order."""
    return list(_load(_data_dir(data_dir).resolve()))


@functools.cache
def _load(root: Path) -> tuple[ProfaneTerm, ...]:
    path = data_file(root, "profanity_en/profanity_en.csv", "CSV with text, category_1..3, severity_description")
    terms = []
    for line, row in enumerate(read_csv(path), start=2):
        try:
            term = ProfaneTerm(
                row["text"].strip(),
                tuple(c for c in (row["category_1"], row["category_2"], row["category_3"]) if c),
                row["severity_description"],
                float(row["severity_rating"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInputError(f"{path}:{line}: malformed row ({exc!r})") from exc
        if not term.term or not term.categories or term.severity not in _SEVERITIES:
            raise InvalidInputError(f"{path}:{line}: empty term or category, or severity {term.severity!r}")
        terms.append(term)
    return tuple(terms)
