"""Run any classifier over GQR-Bench: validate its output, score it, time it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from gqr._decision import DOMAINS, Decision
from gqr._errors import ClassifierOutputError, InvalidInputError
from gqr._log import logger
from gqr.bench._metrics import as_label_ids, score
from gqr.bench._report import BenchResult

__all__ = ["evaluate"]

_WARMUP = 100


def evaluate(
    classifier: Any,
    *,
    name: str | None = None,
    limit_per_set: int | None = None,
    latency_queries: int = 1000,
    batch_size: int = 256,
    seed: int = 0,
    data_dir: str | os.PathLike[str] | None = None,
    id_test: Sequence[Any] | None = None,
    ood_test: Sequence[Any] | None = None,
) -> BenchResult:
    """Score ``classifier`` on GQR-Bench and time it.

    ``classifier`` is a :class:`gqr.Classifier` (its ``classify_batch`` decisions also give reason accuracy) or
    a callable ``list[str] -> labels`` (``"law"``, ``"finance"``, ``"healthcare"``, ``"ood"`` or ints 0-3).
    The texts are ``gqr.data.load_id("test")`` and ``gqr.data.load_ood_test()`` unless ``id_test`` /
    ``ood_test`` (items with ``text``, ``label``, ``dataset``, ``reason``) are given. ``limit_per_set`` keeps a
    seeded sample of at most that many texts per ID domain and per OOD set. Scoring runs in batches of
    ``batch_size`` (that pass gives the throughput); latency is then timed one query at a time over
    ``latency_queries`` texts sampled from the same pool after a warm-up (0 skips it).
    Raises :class:`gqr.ClassifierOutputError` when the classifier returns the wrong number of labels or an
    unknown label.
    """
    if limit_per_set is not None and limit_per_set < 1:
        raise InvalidInputError(f"limit_per_set must be a positive int or None, got {limit_per_set!r}")
    if latency_queries < 0 or batch_size < 1:
        raise InvalidInputError(
            f"expected latency_queries >= 0 and batch_size >= 1, got {latency_queries!r} and {batch_size!r}"
        )
    routes = tuple(getattr(classifier, "routes", DOMAINS))
    if routes != DOMAINS:
        raise InvalidInputError(
            f"GQR-Bench scores routers of {list(DOMAINS)}, got a model of the routes {list(routes)}: score it on "
            "your own labelled data instead (gqr bench --data FILE)"
        )
    predict, single = _adapt(classifier)
    if id_test is None or ood_test is None:
        from gqr import data

        id_test = data.load_id("test", data_dir) if id_test is None else id_test
        ood_test = data.load_ood_test(data_dir) if ood_test is None else ood_test
    rng = np.random.default_rng(seed)
    id_items = _limit(id_test, "label", limit_per_set, rng)
    ood_items = _limit(ood_test, "dataset", limit_per_set, rng)
    if not id_items or not ood_items:
        raise InvalidInputError(f"expected ID and OOD test texts, got {len(id_items)} and {len(ood_items)}")
    texts = [ex.text for ex in id_items] + [ex.text for ex in ood_items]
    model = str(name or getattr(classifier, "name", None) or getattr(classifier, "__name__", type(classifier).__name__))
    logger.info("bench %s: scoring %d ID + %d OOD texts", model, len(id_items), len(ood_items))

    labels, reasons, seconds = _run(predict, texts, batch_size)
    n_id = len(id_items)
    ood_pred: dict[str, list[int]] = {}
    ood_reasons: dict[str, list[str | None]] = {}
    expected: dict[str, str] = {}
    for k, ex in enumerate(ood_items):
        ood_pred.setdefault(ex.dataset, []).append(int(labels[n_id + k]))
        ood_reasons.setdefault(ex.dataset, []).append(None if reasons is None else reasons[n_id + k])
        if ex.reason is not None:
            expected[ex.dataset] = ex.reason
    scores = score(
        [ex.label for ex in id_items],
        labels[:n_id],
        ood_pred,
        ood_reasons=None if reasons is None else ood_reasons,
        expected_reasons=expected,
    )
    p50 = p99 = None
    if latency_queries:
        times = _latency(single, [texts[i] for i in rng.integers(0, len(texts), latency_queries + _WARMUP)])
        p50, p99 = (float(v) for v in np.percentile(times, [50, 99]))
    size = getattr(classifier, "size_bytes", None)
    return BenchResult(
        model=model,
        scores=scores,
        p50_us=p50,
        p99_us=p99,
        latency_queries=latency_queries,
        throughput_qps=len(texts) / max(seconds, 1e-9),
        batch_size=batch_size,
        size_bytes=None if size is None else int(size),
        limit_per_set=limit_per_set,
    )


_Predict = Callable[[list[str]], tuple[np.ndarray, list[str | None] | None]]


def _adapt(classifier: Any) -> tuple[_Predict, Callable[[str], Any]]:
    """A batch predictor ``texts -> (labels, reasons or None)`` with checked output, and a one-query call."""
    if hasattr(classifier, "classify_batch"):

        def predict(texts: list[str]) -> tuple[np.ndarray, list[str | None]]:
            decisions = classifier.classify_batch(texts)
            _check_count(decisions, len(texts))
            for i, d in enumerate(decisions):
                if not isinstance(d, Decision):
                    raise ClassifierOutputError(f"item {i} of classify_batch is {type(d).__name__}; expected Decision")
            labels = as_label_ids([d.label for d in decisions], error=ClassifierOutputError)
            return labels, [d.reason for d in decisions]

        return predict, classifier.classify
    if callable(classifier):

        def predict_labels(texts: list[str]) -> tuple[np.ndarray, None]:
            out = classifier(texts)
            _check_count(out, len(texts))
            return as_label_ids(out, error=ClassifierOutputError), None

        return predict_labels, lambda text: classifier([text])
    raise TypeError(
        f"expected a gqr.Classifier (with classify_batch) or a callable list[str] -> labels, "
        f"got {type(classifier).__name__}"
    )


def _check_count(out: Any, expected: int) -> None:
    try:
        got = len(out)
    except TypeError:
        raise ClassifierOutputError(f"expected a sequence of {expected} labels, got {type(out).__name__}") from None
    if isinstance(out, str | bytes) or got != expected:
        what = type(out).__name__ if isinstance(out, str | bytes) else f"{got} labels"
        raise ClassifierOutputError(f"expected {expected} labels (one per text), got {what}")


def _run(predict: _Predict, texts: list[str], batch_size: int) -> tuple[np.ndarray, list[str | None] | None, float]:
    labels: list[np.ndarray] = []
    reasons: list[str | None] = []
    seconds = 0.0
    for start in range(0, len(texts), batch_size):
        t0 = time.perf_counter()
        out, why = predict(texts[start : start + batch_size])
        seconds += time.perf_counter() - t0
        labels.append(out)
        reasons.extend(why or ())
    return np.concatenate(labels), (reasons if len(reasons) == len(texts) else None), seconds


def _latency(single: Callable[[str], Any], texts: list[str]) -> np.ndarray:
    """Microseconds per call, after :data:`_WARMUP` untimed calls."""
    for text in texts[:_WARMUP]:
        single(text)
    times = np.empty(len(texts) - _WARMUP)
    for k, text in enumerate(texts[_WARMUP:]):
        t0 = time.perf_counter_ns()
        single(text)
        times[k] = (time.perf_counter_ns() - t0) / 1000
    return times


def _limit(items: Sequence[Any], key: str, limit: int | None, rng: np.random.Generator) -> list[Any]:
    """At most ``limit`` items per value of ``key`` (a seeded sample, original order kept)."""
    if limit is None:
        return list(items)
    groups: dict[str, list[int]] = {}
    for i, ex in enumerate(items):
        groups.setdefault(getattr(ex, key), []).append(i)
    keep: list[int] = []
    for idx in groups.values():
        keep += idx if len(idx) <= limit else rng.choice(idx, limit, replace=False).tolist()
    return [items[i] for i in sorted(keep)]
