"""Batch scoring throughput and memory (issue 4 targets).

Generates CSV files of short real queries (the in-domain test split and the GQR-Bench OOD test sets, only timed
here, never learned from) in a temporary directory, then measures, each in a fresh process:

- single process (``gqr.batch.score_file``): wall time, CPU time, rows/s and peak RSS for 100k and 1M rows, with
  the model and with a trivial constant classifier (the I/O and bookkeeping overhead alone);
- the Dask engine (``gqr.dask.score_files``, the path of ``gqr score --engine dask``) on a local cluster of
  ``--workers`` processes, the 1M rows split into ``--parts`` files: wall time including cluster start-up.

    GQR_DATA_DIR=../shared/data/raw python benchmarks/bench_batch.py [--model NAME_OR_PATH] [--rows 1000000]

Prints a markdown block for the ``batch`` section of ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gqr import Decision


class Constant:
    """A trivial classifier (routes everything to law): what is left is the cost of reading and writing."""

    name = "constant (I/O only)"
    _decision = Decision(route="law", confidence=1.0)

    def classify(self, text: str) -> Decision:
        return self._decision

    def classify_batch(self, texts: list[str]) -> list[Decision]:
        return [self._decision] * len(texts)


def write_queries(path: Path, rows: int, pool: list[str], seed: int) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["id", "text"])
        writer.writerows((i, rng.choice(pool)) for i in range(rows))


def peak_rss_kb() -> int:
    """This process's peak resident set (VmHWM; unlike ru_maxrss it does not carry the parent's peak over exec)."""
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))


def child(args: argparse.Namespace) -> None:
    """One measurement in this (fresh) process; prints one JSON line."""
    model = Constant() if args.model == "constant" else args.model
    wall, cpu = time.perf_counter(), time.process_time()
    if args.engine == "local":
        from gqr.batch import score_file

        summary = score_file(args.input, args.output, model=model)
    else:
        from gqr.dask import score_files

        summary = score_files([args.input], args.output, model=model, workers=args.workers)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rss = peak_rss_kb()
    out = {"rows": summary.rows_out, "model": summary.model, "wall": wall, "cpu": cpu, "rss": rss}
    print(json.dumps(out))


def measure(engine: str, model: str, src: str, dst: str, workers: int) -> dict:
    cmd = [sys.executable, __file__, "--child", "--engine", engine, "--model", model, "--workers", str(workers)]
    res = subprocess.run([*cmd, "--input", src, "--output", dst], capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise SystemExit(f"measurement failed: {' '.join(cmd)}\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model name or path (default: the shipped default)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000, help="rows of the smaller file (memory comparison)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--parts", type=int, default=4, help="files the big input is split into for Dask")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--engine", default="local", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    import gqr
    from gqr.data import load_id, load_ood_test

    model = args.model or gqr.load().name  # fails early, naming the available models, when there is none
    pool = [e.text for e in [*load_id("test"), *load_ood_test()] if len(e.text) <= 200]
    rows_table = []
    with tempfile.TemporaryDirectory(prefix="gqr-bench-batch-") as tmp:
        tmpdir = Path(tmp)
        big, small = tmpdir / "big.csv", tmpdir / "small.csv"
        write_queries(big, args.rows, pool, seed=0)
        write_queries(small, args.small, pool, seed=1)
        parts = tmpdir / "parts"
        parts.mkdir()
        for k in range(args.parts):
            write_queries(parts / f"part{k}.csv", args.rows // args.parts, pool, seed=10 + k)
        mean_len = sum(map(len, pool)) / len(pool)
        runs = [
            ("local", "constant", small, tmpdir / "o.csv"),
            ("local", "constant", big, tmpdir / "o.csv"),
            ("local", model, small, tmpdir / "o.csv"),
            ("local", model, big, tmpdir / "o.csv"),
            ("dask", model, parts / "*.csv", tmpdir / "dask-out"),
        ]
        for engine, name, src, dst in runs:
            r = measure(engine, name, str(src), str(dst), args.workers)
            rows_table.append((engine, r))
            print(f"{engine} {r['model']}: {r['rows']:,} rows, {r['rows'] / r['wall']:,.0f} rows/s", file=sys.stderr)

    load = os.getloadavg()
    print(f"`{' '.join([Path(sys.executable).name, *sys.argv])}`  ")
    print(
        f"{datetime.date.today()}, {platform.node()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end; "
        f"queries: {len(pool):,} real texts of mean length {mean_len:.0f} chars, sampled with replacement.\n"
    )
    print("| engine | classifier | rows | wall s | rows/s (wall) | CPU s (main process) | peak RSS MB (main process) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for engine, r in rows_table:
        where = f"dask, {args.workers} workers, {args.parts} files" if engine == "dask" else "single process"
        print(
            f"| {where} | {r['model']} | {r['rows']:,} | {r['wall']:.1f} | {r['rows'] / r['wall']:,.0f} | "
            f"{r['cpu']:.1f} | {r['rss'] / 1024:.0f} |"
        )


if __name__ == "__main__":
    main()
