"""Readers: CSV, JSONL or Parquet input as a stream of chunks, only one chunk in memory at a time.

Every input record becomes exactly one row, in order; a record that cannot be read becomes a row with an error
(its line numbers in the message) instead of being dropped. Blank lines hold no record and are only counted.
Undecodable UTF-8 bytes are replaced by U+FFFD and counted (see :func:`count_invalid_utf8`).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from gqr._errors import InvalidInputError
from gqr._extras import require
from gqr.batch._score import RESULT_COLUMNS

__all__ = ["FIELD_LIMIT", "READERS", "Chunk", "Reader", "check_columns", "count_invalid_utf8"]

FIELD_LIMIT = 1 << 24
"""Longest CSV field, in characters (16 Mi); a longer one (often a quote never closed) is a malformed record.
Reading CSV raises the process-wide ``csv.field_size_limit`` to at least this (it never lowers it)."""

_DECODE_ERRORS = "gqr.batch.replace"
_INVALID_UTF8: ContextVar[list[int] | None] = ContextVar("gqr_invalid_utf8", default=None)
_JSON_TYPES = {"list": "array", "str": "string", "int": "number", "float": "number", "bool": "boolean"}


def _replace_and_count(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    counter = _INVALID_UTF8.get()
    if counter is not None:
        counter[0] += 1
    return "\ufffd", exc.end


codecs.register_error(_DECODE_ERRORS, _replace_and_count)


@contextmanager
def count_invalid_utf8() -> Iterator[list[int]]:
    """Count, in ``counter[0]``, the byte sequences readers replace by U+FFFD in this context."""
    counter = [0]
    token = _INVALID_UTF8.set(counter)
    try:
        yield counter
    finally:
        _INVALID_UTF8.reset(token)


def check_columns(columns: list[str], text_column: str) -> None:
    """Refuse input whose columns lack the text column, repeat a name or collide with the result columns."""
    if text_column not in columns:
        found = ", ".join(repr(c) for c in columns) or "none"
        raise InvalidInputError(
            f"no text column {text_column!r} in the input; columns found: {found}. "
            "Name the column holding the queries with --text-column (text_column= in Python)"
        )
    seen = set(columns)
    repeated = sorted({c for c in seen if columns.count(c) > 1}) if len(seen) < len(columns) else []
    if repeated:
        raise InvalidInputError(f"the input repeats column name(s) {repeated}; expected distinct names")
    clash = [c for c in RESULT_COLUMNS if c in seen]
    if clash:
        raise InvalidInputError(
            f"the input already has column(s) {clash}, which gqr score adds; rename or drop them first"
        )


@dataclass(slots=True)
class Chunk:
    """Consecutive input rows: ``rows`` (sequences aligned with the columns, or dicts for JSONL), the text value
    of each row (``None`` when absent), ``errors`` (row index -> why it could not be read) and, for Parquet,
    the ``batch`` the rows came from."""

    rows: list[Any] = field(default_factory=list)
    texts: list[object] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)
    batch: Any = None


class Reader:
    """Reads ``raw`` (binary) in chunks of ``batch_size`` rows; yields at least one (possibly empty) chunk.

    ``columns`` is known once constructed: the header (CSV), the schema (Parquet), the keys of the first chunk
    (JSONL), or ``None`` for an empty input. ``fraction()`` tells how much has been read, when known.
    """

    format = ""

    def __init__(self, raw: BinaryIO, text_column: str, batch_size: int) -> None:
        self.text_column = text_column
        self.batch_size = batch_size
        self.columns: list[str] | None = None
        self.schema: Any = None  # the pyarrow schema of Parquet input
        self.rows_read = 0
        self.blank_lines = 0
        self._raw = raw
        self._size = _file_size(raw)
        self._chunks = self._read()
        self._first: Chunk | None = next(self._chunks)

    def __iter__(self) -> Iterator[Chunk]:
        if self._first is not None:
            first, self._first = self._first, None
            self.rows_read += len(first.rows)
            yield first
        for chunk in self._chunks:
            self.rows_read += len(chunk.rows)
            yield chunk

    def fraction(self) -> float | None:
        if self._size is None:
            return None
        try:
            return min(self._raw.tell() / self._size, 1.0) if self._size else 1.0
        except (OSError, ValueError):
            return None

    def _read(self) -> Iterator[Chunk]:
        raise NotImplementedError

    def _text(self, newline: str) -> io.TextIOWrapper:
        return io.TextIOWrapper(self._raw, encoding="utf-8-sig", errors=_DECODE_ERRORS, newline=newline)


class CsvReader(Reader):
    format = "csv"

    def _read(self) -> Iterator[Chunk]:
        csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
        reader = csv.reader(self._text(newline=""), strict=True)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise InvalidInputError(f"malformed CSV header on line 1: {exc}") from exc
        if header is None:  # empty input
            yield Chunk()
            return
        check_columns(header, self.text_column)
        self.columns = header
        n, idx, size = len(header), header.index(self.text_column), self.batch_size
        chunk = Chunk()
        rows, texts, errors = chunk.rows, chunk.texts, chunk.errors
        end = reader.line_num  # last line of the previous record
        while True:
            try:
                for row in reader:
                    if len(row) == n:
                        texts.append(row[idx])
                        rows.append(row)
                    elif not row:
                        self.blank_lines += 1
                        end = reader.line_num
                        continue
                    else:
                        errors[len(rows)] = f"{_lines(end + 1, reader.line_num)}: expected {n} fields, got {len(row)}"
                        texts.append(None)
                        rows.append([*row, *[None] * n][:n])
                    end = reader.line_num
                    if len(rows) >= size:
                        yield chunk
                        chunk = Chunk()
                        rows, texts, errors = chunk.rows, chunk.texts, chunk.errors
            except csv.Error as exc:
                errors[len(rows)] = f"{_lines(end + 1, reader.line_num)}: malformed CSV record ({exc})"
                rows.append([None] * n)
                texts.append(None)
                end = reader.line_num
                continue
            break
        yield chunk


class JsonlReader(Reader):
    format = "jsonl"

    def _read(self) -> Iterator[Chunk]:
        loads, results, tc, size = json.loads, frozenset(RESULT_COLUMNS), self.text_column, self.batch_size
        chunk = Chunk()
        for lineno, line in enumerate(self._text(newline="\n"), 1):
            if line.isspace():
                self.blank_lines += 1
                continue
            try:
                obj = loads(line)
            except (ValueError, RecursionError) as exc:
                chunk.errors[len(chunk.rows)] = f"line {lineno}: malformed JSON ({exc})"
                obj = {}
            else:
                if type(obj) is not dict:
                    kind = "null" if obj is None else _JSON_TYPES.get(type(obj).__name__, type(obj).__name__)
                    chunk.errors[len(chunk.rows)] = f"line {lineno}: expected a JSON object, got a JSON {kind}"
                    obj = {}
                elif not results.isdisjoint(obj):
                    raise InvalidInputError(
                        f"line {lineno} already has key(s) {sorted(results.intersection(obj))}, which gqr score "
                        "adds; rename or drop them first"
                    )
            chunk.rows.append(obj)
            chunk.texts.append(obj.get(tc))
            if len(chunk.rows) >= size:
                self._set_columns(chunk)
                yield chunk
                chunk = Chunk()
        self._set_columns(chunk)
        yield chunk

    def _set_columns(self, chunk: Chunk) -> None:
        """Fix the columns to the keys of the first chunk, once it holds at least one object."""
        if self.columns is None and chunk.rows:
            self.columns = list(dict.fromkeys(key for obj in chunk.rows for key in obj))
            if self.columns:
                check_columns(self.columns, self.text_column)


class ParquetReader(Reader):
    format = "parquet"

    def _read(self) -> Iterator[Chunk]:
        pa = require("pyarrow", "parquet")
        pq = require("pyarrow.parquet", "parquet")
        with tempfile.TemporaryFile() if not self._raw.seekable() else nullcontext() as spooled:
            if spooled is not None:  # stdin: Parquet needs to seek to its footer
                shutil.copyfileobj(self._raw, spooled, 1 << 20)
                spooled.seek(0)
            try:
                parquet = pq.ParquetFile(spooled or self._raw)
            except (pa.ArrowInvalid, OSError) as exc:
                raise InvalidInputError(f"expected a Parquet file, got unreadable input: {exc}") from exc
            self.schema = parquet.schema_arrow
            self.columns = self.schema.names
            check_columns(self.columns, self.text_column)
            self._size = parquet.metadata.num_rows
            idx = self.columns.index(self.text_column)
            for batch in parquet.iter_batches(batch_size=self.batch_size):
                values = [column.to_pylist() for column in batch.columns]
                yield Chunk(list(zip(*values, strict=True)), values[idx], {}, batch)
            yield Chunk()

    def fraction(self) -> float | None:
        return min(self.rows_read / self._size, 1.0) if self._size else 1.0


READERS: dict[str, type[Reader]] = {r.format: r for r in (CsvReader, JsonlReader, ParquetReader)}


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first >= last else f"lines {first}-{last}"


def _file_size(raw: BinaryIO) -> int | None:
    try:
        info = os.fstat(raw.fileno())
    except (OSError, ValueError):  # io.UnsupportedOperation is both
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None
