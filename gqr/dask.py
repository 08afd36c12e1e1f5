"""Scoring on Dask: a Dask DataFrame (:func:`score`) or many files in parallel (:func:`score_files`).

Both use the scoring step of :mod:`gqr.batch`, so they give the same rows as :func:`gqr.batch.score_file`. Pass
the model by name or path (or ``None``, the default model): each worker process then loads it once and keeps it
for later tasks. A :class:`gqr.Classifier` object is shipped to the workers with every task instead.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from gqr._extras import require
from gqr._protocol import Classifier
from gqr.batch._files import plan_outputs, score_file
from gqr.batch._readers import check_columns
from gqr.batch._score import MAX_CHARS, RESULT_COLUMNS, ModelSpec, load_classifier, score_texts
from gqr.batch._summary import Summary

__all__ = ["score", "score_files"]


def score(ddf: Any, *, text_column: str = "text", model: ModelSpec = None, max_chars: int = MAX_CHARS) -> Any:
    """Add ``route, label, confidence, reason, error`` to a Dask DataFrame, partition by partition (lazy).

    Missing (NaN / None), empty or blank text is rejected with reason ``"empty"``, text longer than ``max_chars``
    with ``"too_long"``, a value that is not a string is an error row: the same rules as
    :func:`gqr.batch.score_file`. The result has the same partitions and row order as ``ddf``.
    """
    require("dask.dataframe", "dask")
    check_columns([str(c) for c in ddf.columns], text_column)
    meta = [*ddf.dtypes.items(), *((c, "float64" if c == "confidence" else "object") for c in RESULT_COLUMNS)]
    return ddf.map_partitions(_score_partition, text_column, _portable(model), max_chars, meta=meta)


def score_files(
    inputs: Sequence[str | os.PathLike[str]],
    output_dir: str | os.PathLike[str],
    *,
    model: ModelSpec = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[Summary], None] | None = None,
    **options: Any,
) -> Summary:
    """Score files (paths or globs) in parallel, one task per file, into ``output_dir``; returns the merged summary.

    Runs on the Dask scheduler at ``scheduler`` (its workers must see the files at the same paths), or else on a
    local cluster of ``workers`` processes (default: one per CPU) listening on loopback only. Each output file is
    written exactly as :func:`gqr.batch.score_file` writes it (``options`` are its options); ``progress(summary)``
    is called as each file completes.
    """
    started = time.perf_counter()
    distributed = require("distributed", "dask")
    plan = plan_outputs(inputs, output_dir, options.get("output_format"))
    model = _portable(model)
    if not isinstance(model, Classifier):
        from gqr._registry import find_card

        find_card(model)  # an unknown model fails here, before any cluster starts
    with _client(distributed, workers, scheduler) as client:
        srcs, dsts = ([str(p.resolve()) for p in paths] for paths in zip(*plan, strict=True))
        futures = client.map(_score_file, srcs, dsts, model=model, options=options, pure=False)
        for future in distributed.as_completed(futures):
            if progress is not None:
                progress(future.result())
        summaries = [f.result() for f in futures]
    return Summary.merge(summaries, inputs, output_dir, time.perf_counter() - started)


def _portable(model: ModelSpec) -> str | Classifier | None:
    """What to send to the workers: a name or an absolute path (loaded and cached there), or the object."""
    if isinstance(model, Classifier) or model is None:
        return model
    text = os.fspath(model)
    return os.path.abspath(text) if os.path.exists(text) else text


@functools.lru_cache(maxsize=8)
def _load(model: str | None) -> Classifier:
    return load_classifier(model)


def _classifier(model: str | Classifier | None) -> Classifier:
    """The worker's classifier: loaded once per process for a name or path."""
    return model if isinstance(model, Classifier) else _load(model)


def _score_partition(pdf: Any, text_column: str, model: str | Classifier | None, max_chars: int) -> Any:
    pd = require("pandas", "dask")
    column = pdf[text_column]
    texts = column.astype(object).where(column.notna(), None).tolist()
    results = score_texts(_classifier(model), texts, {}, max_chars)
    values = list(zip(*results, strict=True)) if results else [()] * len(RESULT_COLUMNS)
    added = {
        name: pd.Series(list(col), index=pdf.index, dtype="float64" if name == "confidence" else object)
        for name, col in zip(RESULT_COLUMNS, values, strict=True)
    }
    return pdf.assign(**added)


def _score_file(src: str, dst: str, *, model: str | Classifier | None, options: dict[str, Any]) -> Summary:
    return score_file(src, dst, model=_classifier(model), **options)


@contextmanager
def _client(distributed: Any, workers: int | None, scheduler: str | None) -> Iterator[Any]:
    if scheduler is not None:
        with distributed.Client(scheduler) as client:
            yield client
        return
    with (
        distributed.LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",  # its HTTP server (health, metrics) on loopback, any free port
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client
