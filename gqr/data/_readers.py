"""Small readers for the file formats under ``GQR_DATA_DIR`` (stdlib only; pyarrow lazily for parquet)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gqr._errors import InvalidInputError
from gqr._extras import require

__all__ = ["read_csv", "read_json", "read_jsonl", "read_lines", "read_parquet"]

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def read_csv(path: Path, *, delimiter: str = ",", header: bool = True) -> Iterator[Any]:
    """Rows of a CSV/TSV file: dicts when ``header`` else lists."""
    with path.open(newline="", encoding="utf-8") as f:
        yield from (csv.DictReader if header else csv.reader)(f, delimiter=delimiter)


def read_json(path: Path) -> Any:
    """A whole JSON document."""
    try:
        with path.open(encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"{path}: expected a JSON document, got invalid JSON ({exc})") from exc


def read_jsonl(path: Path) -> Iterator[Any]:
    """One JSON value per non-empty line."""
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InvalidInputError(f"{path}:{number}: expected one JSON value per line ({exc})") from exc


def read_lines(path: Path) -> Iterator[str]:
    """Lines without their line ending."""
    with path.open(encoding="utf-8", errors="replace") as f:
        for line in f:
            yield line.rstrip("\r\n")


def read_parquet(path: Path, columns: list[str]) -> dict[str, list[Any]]:
    """Selected columns of a parquet file as lists (needs pyarrow: ``gqr[parquet]``)."""
    parquet = require("pyarrow.parquet", "parquet")
    return parquet.read_table(path, columns=columns).to_pydict()
