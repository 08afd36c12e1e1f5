"""Before/after speed of two source trees in one run: ``classify`` p50, ``classify_batch`` and ``gqr score``.

Each round runs one child process per tree (alternating which goes first), each child with its tree first on
``sys.path`` and the same model file, queries and input file; the table gives the median over rounds of each
measure and the ratio after/before. Use it for refactors that must not cost speed (issue 18: within 5 %).

    git worktree add /tmp/before <commit>
    GQR_DATA_DIR=../shared/data/raw python benchmarks/bench_compare.py /tmp/before . [--rounds 5] [--model PATH]

The model defaults to the shipped default of the *after* tree, given to both trees as a card path, so only the
code differs.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def child(model: str, queries: Path, score_input: Path) -> dict[str, float]:
    """The measurements of one tree (run in a child process whose ``sys.path`` starts with that tree)."""
    import numpy as np
    from bench_latency import per_query_us

    import gqr

    if not Path(gqr.__file__).resolve().is_relative_to(Path.cwd().resolve()):
        raise SystemExit(f"expected gqr from {Path.cwd()}, imported {gqr.__file__}")
    texts = json.loads(queries.read_text(encoding="utf-8"))
    router = gqr.load(model)
    for text in texts[:500]:  # warm-up
        router.classify(text)
    p50_us = float(np.median(per_query_us(router.classify, texts[:5000])))
    router.classify_batch(texts[:2000])
    t0 = time.perf_counter()
    router.classify_batch(texts)
    batch_qps = len(texts) / (time.perf_counter() - t0)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.csv"
        cmd = [sys.executable, "-m", "gqr", "score", str(score_input), "-o", str(out), "-m", model]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=os.environ)
        score_s = time.perf_counter() - t0
        rows = sum(1 for _ in out.open(encoding="utf-8")) - 1
    return {
        "classify_p50_us": p50_us,
        "classify_batch_qps": batch_qps,
        "score_rows_per_s": rows / score_s,
    }


def run_child(tree: Path, model: str, queries: Path, score_input: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree.resolve())}
    code = (
        "import json, sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
        "import bench_compare as b; "
        "print(json.dumps(b.child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))))"
    )
    here = str(Path(__file__).resolve().parent)
    done = subprocess.run(
        [sys.executable, "-c", code, here, model, str(queries), str(score_input)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=tree,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--queries", type=int, default=20_000)
    parser.add_argument("--score-rows", type=int, default=100_000)
    parser.add_argument("--model", default=None, help="card path (default: the after tree's default model)")
    args = parser.parse_args()

    from gqr.data import load_id, load_ood_test

    model = args.model or str(
        args.after.resolve() / "models" / f"{(args.after / 'models' / 'DEFAULT').read_text().strip()}.json"
    )
    pool = [ex.text for ex in load_id("test")] + [ex.text for ex in load_ood_test()]
    random.Random(0).shuffle(pool)
    texts = (pool * (args.queries // len(pool) + 1))[: args.queries]
    with tempfile.TemporaryDirectory() as tmp:
        queries, score_input = Path(tmp) / "queries.json", Path(tmp) / "input.csv"
        queries.write_text(json.dumps(texts), encoding="utf-8")
        with score_input.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["id", "text"])
            writer.writerows((i, pool[i % len(pool)]) for i in range(args.score_rows))
        results: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        for r in range(args.rounds):
            order = ("before", "after") if r % 2 == 0 else ("after", "before")
            for which in order:
                tree = args.before if which == "before" else args.after
                results[which].append(run_child(tree, model, queries, score_input))
            print(f"round {r + 1}/{args.rounds}: {json.dumps(results)}", file=sys.stderr)

    load = os.getloadavg()
    print(f"`python benchmarks/bench_compare.py {args.before} {args.after} --rounds {args.rounds}`, ", end="")
    print(
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()} {os.cpu_count()} cores, ",
        end="",
    )
    print(f"load {load[0]:.1f}; model {Path(model).name}; medians of {args.rounds} alternating rounds\n")
    print("| measure | before | after | after / before |\n|---|---:|---:|---:|")
    for key in ("classify_p50_us", "classify_batch_qps", "score_rows_per_s"):
        b = statistics.median(x[key] for x in results["before"])
        a = statistics.median(x[key] for x in results["after"])
        print(f"| {key} | {b:,.1f} | {a:,.1f} | {a / b:.3f} |")


if __name__ == "__main__":
    main()
