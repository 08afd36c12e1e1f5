"""Latency and throughput of the router hot path (issue 3 targets).

Measures, for one model: ``router.classify`` end to end (text in, Decision out) per query, and its parts
(featurize, onnxruntime, decision rule + Decision); ``classify_batch`` and ``predict`` throughput; ``gqr classify``
as a whole process; ``import gqr`` time. Queries are real texts: the in-domain test split and the GQR-Bench OOD
test sets (only timed here, never learned from), shuffled.

    GQR_DATA_DIR=../shared/data/raw python benchmarks/bench_latency.py [--model NAME_OR_PATH] [--queries 20000]

Prints a markdown block for the ``latency`` section of ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import gqr
from gqr.data import _ood, _pools, load_id, load_ood_test


def per_query_us(fn: Callable[[str], object], texts: list[str]) -> np.ndarray:
    """Microseconds of ``fn(text)`` for each of ``texts``."""
    clock = time.perf_counter_ns
    times = np.empty(len(texts))
    for k, text in enumerate(texts):
        t0 = clock()
        fn(text)
        times[k] = clock() - t0
    return times / 1e3


def _percentiles(fn: Callable[[str], object], texts: list[str]) -> tuple[float, float]:
    """p50 and p99 in microseconds of ``fn(text)`` over ``texts``."""
    times = per_query_us(fn, texts)
    return float(np.percentile(times, 50)), float(np.percentile(times, 99))


def _throughput(fn: Callable[[list[str]], object], texts: list[str], repeats: int = 5) -> float:
    """Median over ``repeats`` runs of the queries per second of ``fn(texts)``."""
    seconds = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(texts)
        seconds.append(time.perf_counter() - t0)
    return len(texts) / statistics.median(seconds)


def _process_seconds(args: list[str], repeats: int) -> float:
    """Median wall time of a fresh process running ``args``."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="model name or card/ONNX path (default: the shipped default)")
    parser.add_argument("--queries", type=int, default=20_000, help="timed single queries")
    parser.add_argument("--processes", type=int, default=10, help="timed `gqr classify` processes")
    args = parser.parse_args()

    texts = [e.text for e in load_id("test")] + [e.text for e in load_ood_test()]
    random.Random(0).shuffle(texts)
    # Drop the data loaders' per-process caches (300k Example objects): a serving process holds only its queries and
    # the router, and the garbage collector's full passes (which the Decisions of a batch set off) scan every object.
    _pools.pool.cache_clear()
    _ood._load.cache_clear()
    router = gqr.load(args.model)
    featurizer = router._model.featurizer
    model = router._model
    warm, timed = texts[:2000], (texts * (1 + args.queries // len(texts)))[: args.queries]
    for text in warm:
        router.classify(text)

    e2e_cold = _percentiles(router.classify, timed)  # most texts seen for the first time (featurizer word cache)
    e2e_times = per_query_us(router.classify, timed)  # the same texts again: steady state
    e2e = float(np.percentile(e2e_times, 50)), float(np.percentile(e2e_times, 99))
    feats = [featurizer.transform_one(t) for t in timed]
    feat = _percentiles(featurizer.transform_one, timed)
    rows = [(ids[None], w[None]) for ids, w in feats if len(ids)]
    clock, onnx_times, decide_times = time.perf_counter_ns, np.empty(len(rows)), np.empty(len(rows))
    for k, (ids, w) in enumerate(rows):
        t0 = clock()
        scores = model.scores(ids, w)
        t1 = clock()
        router._decision(scores[0].tolist())
        onnx_times[k], decide_times[k] = t1 - t0, clock() - t1
    batch_qps = _throughput(router.classify_batch, texts)
    predict_qps = _throughput(router.predict, texts)

    gqr_script = Path(sys.executable).with_name("gqr")
    cli_s = _process_seconds(
        [str(gqr_script), "classify", "--model", str(args.model or router.name), "--", texts[0]], args.processes
    )
    import_s = _process_seconds([sys.executable, "-c", "import gqr"], args.processes)
    load_s = _process_seconds([sys.executable, "-c", f"import gqr; gqr.load({args.model!r})"], args.processes)

    def pct(a: np.ndarray) -> str:
        return f"{np.percentile(a, 50) / 1e3:.1f} / {np.percentile(a, 99) / 1e3:.1f}"

    load1, load5, _ = os.getloadavg()
    chars = np.array([len(t) for t in texts])
    print(
        f"model `{router.name}` ({router.size_bytes / 1e6:.2f} MB ONNX); {len(texts):,} texts (ID test + OOD test), "
        f"length p50 / p90 / max {np.percentile(chars, 50):.0f} / {np.percentile(chars, 90):.0f} / {chars.max()} chars"
    )
    print(
        f"date {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; machine {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, onnxruntime "
        f"{__import__('onnxruntime').__version__}; load average {load1:.2f} / {load5:.2f} (1 / 5 min)"
    )
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| `router.classify` end to end, p50 / p99 (µs, {len(timed):,} queries) | {e2e[0]:.1f} / {e2e[1]:.1f} |")
    print(
        f"| the same, first sight of each text (cold cache), p50 / p99 (µs) | {e2e_cold[0]:.1f} / {e2e_cold[1]:.1f} |"
    )
    print(f"| featurize (`transform_one`), p50 / p99 (µs) | {feat[0]:.1f} / {feat[1]:.1f} |")
    print(f"| onnxruntime run, batch 1, p50 / p99 (µs) | {pct(onnx_times)} |")
    print(f"| decision rule (`one_row_rule`) + Decision, p50 / p99 (µs) | {pct(decide_times)} |")
    print(f"| `classify_batch` throughput (queries/s, {len(texts):,} texts, median of 5) | {batch_qps:,.0f} |")
    print(f"| `predict` throughput (queries/s, median of 5) | {predict_qps:,.0f} |")
    print(f'| `gqr classify "..."` whole process, median of {args.processes} (s) | {cli_s:.3f} |')
    print(f"| `python -c 'import gqr'`, median of {args.processes} (s) | {import_s:.3f} |")
    print(f"| `python -c 'import gqr; gqr.load()'`, median of {args.processes} (s) | {load_s:.3f} |")
    _by_length(e2e_times, [len(featurizer.tokens(t)) for t in timed], featurizer.max_tokens)


def _by_length(times: np.ndarray, tokens: list[int], cap: int) -> None:
    """Steady-state ``classify`` time by number of tokens read (the featurizer's work grows with it)."""
    counts = np.array(tokens)
    print()
    print("| tokens read | share of queries | p50 (µs) | p99 (µs) |")
    print("|---|---:|---:|---:|")
    for lo, hi in ((0, 16), (17, 64), (65, cap // 2), (cap // 2 + 1, cap - 1), (cap, cap)):
        part = times[(counts >= lo) & (counts <= hi)]
        if len(part):
            label = f"{lo}–{hi}" if hi > lo else f"{cap} (the cap)"
            p50, p99 = np.percentile(part, [50, 99])
            print(f"| {label} | {len(part) / len(times):.1%} | {p50:.1f} | {p99:.1f} |")


if __name__ == "__main__":
    main()
