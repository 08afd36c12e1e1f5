"""Writers: CSV, JSONL or Parquet output, one chunk at a time: every input column, then the result columns."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from itertools import chain
from typing import Any, BinaryIO

from gqr._extras import require
from gqr.batch._readers import Chunk, Reader
from gqr.batch._score import RESULT_COLUMNS, Result

__all__ = ["WRITERS", "Writer"]

_to_json = json.JSONEncoder(ensure_ascii=False, default=str).encode


def _text(value: object) -> str | None:
    """A cell as text: strings as they are, ``None`` stays ``None``, anything else as JSON."""
    return value if value is None or type(value) is str else _to_json(value)


class Writer:
    """Writes to ``raw`` (binary, left open) the rows of a ``reader``'s chunks followed by their results.

    The output columns are the reader's ``columns`` then :data:`RESULT_COLUMNS`. JSONL keys outside those columns
    cannot be written to CSV or Parquet: they are counted in ``dropped_fields``.
    """

    format = ""

    def __init__(self, raw: BinaryIO, reader: Reader) -> None:
        self.columns: list[str] = list(reader.columns or ())
        self.source = reader.format
        self.dropped_fields = 0
        self._keys = frozenset(self.columns)

    def write(self, chunk: Chunk, results: Sequence[Result]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def _rows(self, chunk: Chunk) -> Sequence[Sequence[Any]]:
        """The chunk's rows as sequences aligned with ``columns`` (JSONL objects are laid out on them)."""
        if self.source != "jsonl":
            return chunk.rows
        columns, keys = self.columns, self._keys
        for obj in chunk.rows:
            if not keys.issuperset(obj):
                self.dropped_fields += len(obj.keys() - keys)
        return [[obj.get(c) for c in columns] for obj in chunk.rows]


class CsvWriter(Writer):
    format = "csv"

    def __init__(self, raw: BinaryIO, reader: Reader) -> None:
        super().__init__(raw, reader)
        self._file = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        self._csv = csv.writer(self._file, lineterminator="\n")
        self._csv.writerow([*self.columns, *RESULT_COLUMNS])

    def write(self, chunk: Chunk, results: Sequence[Result]) -> None:
        rows = self._rows(chunk)
        if self.source != "csv":  # CSV rows hold only str / None already
            rows = [[_text(v) for v in row] for row in rows]
        self._csv.writerows(map(chain, rows, results))

    def close(self) -> None:
        self._file.flush()
        self._file.detach()


class JsonlWriter(Writer):
    format = "jsonl"

    def __init__(self, raw: BinaryIO, reader: Reader) -> None:
        super().__init__(raw, reader)
        self._file = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")

    def write(self, chunk: Chunk, results: Sequence[Result]) -> None:
        if not results:
            return
        if self.source == "jsonl":
            objs = chunk.rows
        else:
            columns = self.columns
            objs = [dict(zip(columns, row, strict=True)) for row in chunk.rows]
        lines = [
            _to_json({**obj, **dict(zip(RESULT_COLUMNS, res, strict=True))})
            for obj, res in zip(objs, results, strict=True)
        ]
        self._file.write("\n".join(lines))
        self._file.write("\n")

    def close(self) -> None:
        self._file.flush()
        self._file.detach()


class ParquetWriter(Writer):
    format = "parquet"

    def __init__(self, raw: BinaryIO, reader: Reader) -> None:
        super().__init__(raw, reader)
        pa = require("pyarrow", "parquet")
        pq = require("pyarrow.parquet", "parquet")
        if self.source == "parquet":  # keep the input types
            fields = list(reader.schema.remove_metadata())
        else:
            fields = [pa.field(c, pa.string()) for c in self.columns]
        results = [pa.field(c, pa.float64() if c == "confidence" else pa.string()) for c in RESULT_COLUMNS]
        self._pa = pa
        self._schema = pa.schema(fields + results)
        self._result_types = [f.type for f in results]
        self._writer = pq.ParquetWriter(raw, self._schema)

    def write(self, chunk: Chunk, results: Sequence[Result]) -> None:
        if not results:
            return
        pa = self._pa
        if chunk.batch is not None:
            arrays = list(chunk.batch.columns)
        else:
            rows = self._rows(chunk)
            arrays = [pa.array([_text(row[i]) for row in rows], pa.string()) for i in range(len(self.columns))]
        arrays += [pa.array(col, t) for col, t in zip(zip(*results, strict=True), self._result_types, strict=True)]
        self._writer.write_batch(pa.record_batch(arrays, schema=self._schema))

    def close(self) -> None:
        self._writer.close()


WRITERS: dict[str, type[Writer]] = {w.format: w for w in (CsvWriter, JsonlWriter, ParquetWriter)}
