"""Batch scoring of CSV, JSONL and Parquet files: every row kept, in order, streamed with flat memory.

>>> from gqr.batch import score_file
>>> summary = score_file("queries.csv", "scored.csv", text_column="query")  # doctest: +SKIP
>>> summary.rows_out, summary.routed["law"]  # doctest: +SKIP

The output holds every input column plus ``route``, ``label``, ``confidence``, ``reason`` and ``error``. The Dask
engine (:mod:`gqr.dask`) uses the same scoring step, so both give the same rows.
"""

from __future__ import annotations

from gqr.batch._files import BATCH_SIZE, EXTENSIONS, expand_inputs, plan_outputs, score_file, score_files
from gqr.batch._readers import FIELD_LIMIT
from gqr.batch._score import MAX_CHARS, RESULT_COLUMNS
from gqr.batch._summary import Summary

__all__ = [
    "BATCH_SIZE",
    "EXTENSIONS",
    "FIELD_LIMIT",
    "MAX_CHARS",
    "RESULT_COLUMNS",
    "Summary",
    "expand_inputs",
    "plan_outputs",
    "score_file",
    "score_files",
]
