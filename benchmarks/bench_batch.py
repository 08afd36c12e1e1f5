"""Batch scoring throughput and memory (issue 4 targets).

Generates CSV files of short real queries (the in-domain test split and the GQR-Bench OOD test sets, only timed
here, never learned from) in a temporary directory, then measures, each in a fresh process:

- single process (``gqr.batch.score_file``): wall time, CPU time, rows/s and peak RSS for 100k and 1M rows, with
  the model and with a trivial constant classifier (the I/O and bookkeeping overhead alone);
- the Dask engine (``gqr.dask.score_files``, the path of ``gqr score --engine dask``) on a local cluster of
  ``--workers`` processes, the 1M rows split into ``--parts`` files: wall time including cluster start-up.

    GQR_DATA_DIR=../shared/data/raw python benchmarks/bench_batch.py [--model NAME_OR_PATH] [--rows 1000000]

Prints a markdown block for the ``batch`` section of ``benchmarks/RESULTS.md``.

``--compare-tokenizers`` (issue 18) instead compares, in one process, the batch featurizer's own tokenizer
(:mod:`gqr._batch_tokens`: tokens and exact keys with numpy, looked up in the word table) with a Hugging Face
``tokenizers`` pipeline built to give the same tokens: a ``Replace`` normalizer (digits to ``0``), a ``Split``
pre-tokenizer (the featurizer's ``\\w+|\\S``, with Python's own character classes spelled out) and a ``WordLevel``
model over the vocabulary's words; tokens it does not know go through the word table by their text, as ours do.
It first checks that both give bit-identical ``transform`` output on every real text, then times, interleaved
(A/B, B/A, ...) with two routers of the same model: the tokenizing step alone, ``classify_batch``, ``score_file``
(the ``gqr score`` engine) and ``classify`` (p50 over single queries)::

    GQR_DATA_DIR=../shared/data/raw python benchmarks/bench_batch.py --compare-tokenizers [--texts 20000]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from gqr import Decision, Router
from gqr._batch_tokens import Tokens, capped
from gqr._featurize import _BIGRAM_SEP, _CACHE_MAX, Featurizer, _is_char_key
from gqr._word_table import _Arrays


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


# ---------------------------------------------------------------- issue 18: Hugging Face tokenizers vs ours
_UNKNOWN = "[unknown] "  # the WordLevel model's unknown token: never a token of text (tokens hold no whitespace)
_SURROGATE = re.compile("[\\ud800-\\udfff]")
_EDGE_TEXTS = ["k1ll th3 b@stard", "f*ck", "k0ll", "İstanbul", "deposit٣ ²", "e\u0301 x\u0301y", "\x00\ud800 broken"]


def char_class(test: Callable[[np.ndarray], np.ndarray]) -> str:
    """An Oniguruma character class body: the code points (but surrogates) ``test`` holds for, as ranges."""
    points = np.arange(0x110000, dtype=np.uint32)
    points = points[(points < 0xD800) | (points > 0xDFFF)]  # not valid UTF-8: tokenizers takes none
    hit = points[test(points.view("<U1"))]  # numpy's str tests are Python's (checked for every code point)
    cut = np.flatnonzero(np.diff(hit) != 1)
    first, last = np.concatenate([hit[:1], hit[cut + 1]]).tolist(), np.concatenate([hit[cut], hit[-1:]]).tolist()
    return "".join(f"\\x{{{a:X}}}" + ("" if a == b else f"-\\x{{{b:X}}}") for a, b in zip(first, last, strict=True))


class HFRows:
    """``Featurizer._rows`` with Hugging Face ``tokenizers`` in place of :func:`gqr._batch_tokens.tokenize` and the
    word table's exact-key index: the text is normalized, lowercased and read for leetspeak as before, tokenized as
    one string, and the tokens that are not vocabulary words are looked up in the word table by their text."""

    def __init__(self, featurizer: Featurizer) -> None:
        from tokenizers import Regex, Tokenizer
        from tokenizers.models import WordLevel
        from tokenizers.normalizers import Replace
        from tokenizers.pre_tokenizers import Split

        self._featurizer = featurizer
        words = [k for k in featurizer.vocabulary_ if _BIGRAM_SEP not in k and not _is_char_key(k)]  # table rows
        vocab = dict(zip(words, range(len(words)), strict=True))
        self._unknown = vocab[_UNKNOWN] = len(words)
        self._tokenizer = Tokenizer(WordLevel(vocab, unk_token=_UNKNOWN))
        self._tokenizer.normalizer = Replace(Regex(f"[{char_class(np.char.isdecimal)}]"), "0")  # Python's \\d
        word, space = char_class(lambda c: np.char.isalnum(c) | (c == "_")), char_class(np.char.isspace)
        self._tokenizer.pre_tokenizer = Split(Regex(f"[{word}]+|[^{space}]"), behavior="removed", invert=True)

    def __call__(self, heads: list[str]) -> tuple[np.ndarray, np.ndarray, _Arrays]:
        feat = self._featurizer
        lowered, lengths = feat._lowered_batch(heads)
        safe = lowered if lowered.isascii() else _SURROGATE.sub("\ufffd", lowered)  # a lone surrogate: TypeError
        encoding = self._tokenizer.encode(safe, add_special_tokens=False)
        rows = np.array(encoding.ids, dtype=np.int64)
        spans = np.array(encoding.offsets, dtype=np.int64).reshape(-1, 2)  # in characters
        starts, ends = spans[:, 0], spans[:, 1]
        if safe is not lowered:  # a surrogate is a token of its own, never a word
            rows[np.isin(starts, [m.start() for m in _SURROGATE.finditer(lowered)])] = self._unknown
        keep, counts = capped(starts, lengths, feat.max_tokens)
        if keep is not None:
            rows, starts, ends = rows[keep], starts[keep], ends[keep]
        miss = np.flatnonzero(rows == self._unknown)
        no_key = np.zeros(len(miss), dtype=np.uint64)
        tokens = Tokens(lowered, starts[miss], ends[miss], counts, no_key, no_key, no_key.astype(bool))
        rows[miss], arrays = feat._word_table().rows(tokens, _CACHE_MAX)
        return rows, counts, arrays


def check_identical(ours: Featurizer, hf: Featurizer, texts: list[str]) -> None:
    """Both batch paths and ``transform_one`` give the same ids and bit-identical weights for every text."""
    for a in range(0, len(texts), 1024):
        chunk = texts[a : a + 1024]
        (ids, weights), (hf_ids, hf_weights) = ours.transform(chunk), hf.transform(chunk)
        if not (np.array_equal(ids, hf_ids) and np.array_equal(weights.view(np.uint32), hf_weights.view(np.uint32))):
            raise SystemExit(f"tokenizers gives other features than ours in texts {a}..{a + len(chunk)}")
        for row, text in enumerate(chunk):
            one_ids, one_weights = ours.transform_one(text)
            n = len(one_ids)
            if not (np.array_equal(ids[row, :n], one_ids) and np.array_equal(weights[row, :n], one_weights)):
                raise SystemExit(f"transform differs from transform_one for {text[:60]!r}")


def compare_tokenizers(args: argparse.Namespace, model: str, pool: list[str], texts: list[str], tmp: Path) -> None:
    """Issue 18: check, then time interleaved, ours against tokenizers; prints a markdown block."""
    import tokenizers

    from gqr.batch import score_file

    load_before = os.getloadavg()
    routers = {"ours": Router(model), "tokenizers": Router(model)}
    hf = routers["tokenizers"]._featurizer
    hf._rows = HFRows(hf)  # type: ignore[method-assign]
    check_identical(routers["ours"]._featurizer, hf, texts + _EDGE_TEXTS)
    rng = random.Random(0)
    ascii_pool, wide_pool = [t for t in pool if t.isascii()], [t for t in pool if not t.isascii()]
    sets = {
        "ASCII": rng.choices(ascii_pool, k=args.texts),
        "mixed": rng.sample(
            [*rng.choices(ascii_pool, k=args.texts // 2), *rng.choices(wide_pool, k=args.texts // 2)], k=args.texts
        ),
    }
    csvs = {}
    for name, sample in sets.items():
        csvs[name] = tmp / f"{name}.csv"
        with open(csvs[name], "w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows([("id", "text"), *enumerate(sample)])

    def stage(router: Router, sample: list[str]) -> float:
        feat = router._featurizer
        t = time.perf_counter()
        for a in range(0, len(sample), 1024):
            feat._rows(sample[a : a + 1024])
        return time.perf_counter() - t

    def batch(router: Router, sample: list[str]) -> float:
        t = time.perf_counter()
        router.classify_batch(sample)
        return time.perf_counter() - t

    def score(router: Router, name: str) -> float:
        t = time.perf_counter()
        score_file(csvs[name], tmp / "out.csv", model=router)
        return time.perf_counter() - t

    def one(router: Router, sample: list[str]) -> float:
        times = []
        for text in sample[:2000]:
            t = time.perf_counter()
            router.classify(text)
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    steps: list[tuple[str, str, Callable[[Router], float]]] = []
    for name, sample in sets.items():
        steps += [
            (f"tokenize + look up (`_rows`), {name}", "ms", lambda r, s=sample: stage(r, s)),
            (f"`classify_batch`, {name}", "texts/s", lambda r, s=sample: batch(r, s)),
            (f"`score_file` (`gqr score`), {name}", "rows/s", lambda r, n=name: score(r, n)),
            (f"`classify` p50, {name}", "µs", lambda r, s=sample: one(r, s)),
        ]
    table = []
    for label, unit, run in steps:
        times: dict[str, list[float]] = {v: [] for v in routers}
        for rep in range(args.repeats + 1):  # the first round warms up (word tables, caches) and is not counted
            for variant in list(routers)[:: 1 if rep % 2 else -1]:
                elapsed = run(routers[variant])
                if rep:
                    times[variant].append(elapsed)
        med = {v: statistics.median(t) for v, t in times.items()}
        shown = {v: (args.texts / m if "/s" in unit else m * (1e3 if unit == "ms" else 1e6)) for v, m in med.items()}
        table.append((label, unit, shown, med["tokenizers"] / med["ours"]))
        print(f"{label}: {shown}", file=sys.stderr)
    load = os.getloadavg()
    print(f"`{' '.join([Path(sys.executable).name, *sys.argv])}`  ")
    print(
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load average {load_before[0]:.1f} "
        f"before / {load[0]:.1f} after; model {routers['ours'].name}; tokenizers {tokenizers.__version__}; "
        f"medians of {args.repeats} interleaved runs after one warm-up; {args.texts:,} texts per set sampled from "
        f"{len(pool):,} real texts of at most 200 chars (mixed: half non-ASCII). Identical features checked first on "
        f"{len(texts):,} real texts (all lengths) and {len(_EDGE_TEXTS)} edge cases.\n"
    )
    print("| step | unit | ours | tokenizers | tokenizers time / ours |")
    print("|---|---|---:|---:|---:|")
    for label, unit, shown, ratio in table:
        print(f"| {label} | {unit} | {shown['ours']:,.1f} | {shown['tokenizers']:,.1f} | {ratio:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model name or path (default: the shipped default)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000, help="rows of the smaller file (memory comparison)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--parts", type=int, default=4, help="files the big input is split into for Dask")
    parser.add_argument("--compare-tokenizers", action="store_true", help="issue 18: ours against HF tokenizers")
    parser.add_argument("--texts", type=int, default=20_000, help="texts per set (--compare-tokenizers)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per variant (--compare-tokenizers)")
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
    texts = [e.text for e in [*load_id("test"), *load_ood_test()]]
    pool = [t for t in texts if len(t) <= 200]
    if args.compare_tokenizers:
        with tempfile.TemporaryDirectory(prefix="gqr-bench-tok-") as tmp:
            compare_tokenizers(args, model, pool, texts, Path(tmp))
        return
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
