"""What text normalization (issue 17) costs on the hot path: ``router.classify`` with it on and off, interleaved.

One process, one model, the same texts as ``bench_latency.py`` (ID test split + GQR-Bench OOD test sets, shuffled
with seed 0; timed only). Blocks of 500 queries alternate between the router as shipped and the same router with the
featurizer's normalization and leetspeak reading turned off (as before issue 17), so machine load hits both alike;
each setting's p50 / p90 / p99 are over all its timed queries.

    GQR_DATA_DIR=../shared/data/raw python benchmarks/bench_normalize_cost.py [--model NAME] [--queries 20000]
        [--rounds 3]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random

import numpy as np
from bench_latency import per_query_us

import gqr
from gqr import _featurize
from gqr.data import _ood, _pools, load_id, load_ood_test

_BLOCK = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="model name or card path (default: the shipped default)")
    parser.add_argument("--queries", type=int, default=20_000, help="timed queries per round and setting")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    texts = [e.text for e in load_id("test")] + [e.text for e in load_ood_test()]
    random.Random(0).shuffle(texts)
    _pools.pool.cache_clear()  # as bench_latency does: the loaders' caches are not part of a serving process
    _ood._load.cache_clear()
    on, off = gqr.load(args.model), gqr.load(args.model)
    featurizer_off = off._model.featurizer
    normalize = _featurize.normalize_text
    timed = (texts * (1 + args.queries // len(texts)))[: args.queries]
    settings = {"normalization on": (on, normalize), "normalization off": (off, lambda text: text)}
    featurizer_off._leet = None
    for text in texts[:3000]:  # warm both word caches
        on.classify(text)
        _featurize.normalize_text = settings["normalization off"][1]
        off.classify(text)
        _featurize.normalize_text = normalize
    times: dict[str, list[np.ndarray]] = {name: [] for name in settings}
    for r in range(args.rounds):
        for start in range(0, len(timed), _BLOCK):
            block = timed[start : start + _BLOCK]
            order = list(settings) if (start // _BLOCK + r) % 2 == 0 else list(settings)[::-1]
            for name in order:
                router, normalize_fn = settings[name]
                _featurize.normalize_text = normalize_fn
                times[name].append(per_query_us(router.classify, block))
    _featurize.normalize_text = normalize
    load1, load5, _ = os.getloadavg()
    print(
        f"model `{on.name}`; {args.rounds} x {len(timed):,} queries per setting; "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average {load1:.2f} / {load5:.2f}\n"
    )
    print("| `router.classify` (µs) | p50 | p90 | p99 |")
    print("|---|---:|---:|---:|")
    p50 = {}
    for name, parts in times.items():
        all_times = np.concatenate(parts)
        p50[name] = float(np.percentile(all_times, 50))
        cells = " | ".join(f"{np.percentile(all_times, q):.1f}" for q in (50, 90, 99))
        print(f"| {name} | {cells} |")
    print(f"\np50 with normalization / without: {p50['normalization on'] / p50['normalization off']:.3f}")


if __name__ == "__main__":
    main()
