"""The short-query dev set: short questions phrased as people type them, written by the gqr team.

``gqr/data/short_queries.csv`` ships inside the package (no ``GQR_DATA_DIR`` needed). It is for choosing and
reporting models only, never for training: no trainer or pool reads it.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

from gqr._errors import DataNotFoundError, InvalidInputError
from gqr.data._example import Example

__all__ = ["SHORT_QUERIES_DATASET", "SHORT_QUERIES_FILE", "load_short_queries", "short_query_areas"]

SHORT_QUERIES_DATASET = "short_queries"
SHORT_QUERIES_FILE: Path = Path(__file__).with_name("short_queries.csv")

_HEADER = ["text", "label", "reason", "area"]
_DOMAINS = frozenset({"law", "finance", "healthcare"})
_REASONS = frozenset({"off_topic", "unsafe", "other_language"})


@functools.cache
def _rows() -> tuple[tuple[Example, str], ...]:
    if not SHORT_QUERIES_FILE.is_file():
        raise DataNotFoundError(f"short-query dev set missing: {SHORT_QUERIES_FILE}")
    with SHORT_QUERIES_FILE.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header != _HEADER:
            raise InvalidInputError(f"{SHORT_QUERIES_FILE.name}: header {header!r}, expected {_HEADER!r}")
        rows = []
        for line, row in enumerate(reader, start=2):
            if len(row) != len(_HEADER):
                raise InvalidInputError(f"{SHORT_QUERIES_FILE.name}:{line}: {len(row)} fields, expected 4")
            text, label, reason, area = (field.strip() for field in row)
            if not text or not area:
                raise InvalidInputError(f"{SHORT_QUERIES_FILE.name}:{line}: empty text or area")
            if label in _DOMAINS:
                if reason:
                    raise InvalidInputError(f"{SHORT_QUERIES_FILE.name}:{line}: {label!r} row has reason {reason!r}")
                example = Example(text, label, SHORT_QUERIES_DATASET)
            elif label == "ood":
                if reason not in _REASONS:
                    raise InvalidInputError(f"{SHORT_QUERIES_FILE.name}:{line}: unknown ood reason {reason!r}")
                example = Example(text, label, SHORT_QUERIES_DATASET, reason=reason)
            else:
                raise InvalidInputError(f"{SHORT_QUERIES_FILE.name}:{line}: unknown label {label!r}")
            rows.append((example, area))
    return tuple(rows)


def load_short_queries() -> list[Example]:
    """Every row of the short-query dev set, in file order (dataset ``"short_queries"``). Dev / report only."""
    return [example for example, _ in _rows()]


def short_query_areas() -> list[str]:
    """The topic tag of each row, aligned with :func:`load_short_queries` (the language for ``other_language``)."""
    return [area for _, area in _rows()]
