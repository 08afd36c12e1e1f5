"""LLM backends on the paper's latency protocol sample: accuracy per dataset and latency per query.

The sample is ``--per-set`` queries (paper: 100) from each domain's ID test split and from each of the 7 OOD test
sets, drawn with a fixed seed. Each backend classifies the queries one at a time (as a user would send them), so
the latency is per query. Without ``--base-url`` the script starts the local test server (llama.cpp via xllamacpp
serving SmolLM2-135M-Instruct, see ``tests/llm_server.py``). The cascade (fast router, then the prompt router for
uncertain queries) is run for real at ``--threshold`` and swept over thresholds from the stored per-query
decisions of the fast router and the prompt router.

    python benchmarks/bench_llm.py --per-set 100 --out benchmarks/_out/llm.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

import gqr
from gqr import Decision, data
from gqr.bench import score
from gqr.guards import Cascade, load_backend

SEED = 0
PAPER_ROWS = [  # from the paper's table (Šléher et al. 2025): GQR score (%) and latency per query
    ("Llama-3.1-8B (paper)", 91.67, "62.8 ms"),
    ("GPT-4o-mini (paper)", 91.61, "667 ms"),
]


def sample(per_set: int) -> tuple[list[Any], list[Any]]:
    """The first ``per_set`` examples of a seeded shuffle of each ID domain and each OOD test set.

    Smaller samples are prefixes of larger ones, so runs with different ``--per-set`` share their queries.
    """

    def pick(items: list[Any], key: str) -> list[Any]:
        groups: dict[str, list[Any]] = {}
        for ex in items:
            groups.setdefault(getattr(ex, key), []).append(ex)
        out = []
        for k, name in enumerate(sorted(groups)):
            order = np.random.default_rng([SEED, k]).permutation(len(groups[name]))
            out += [groups[name][i] for i in order[:per_set]]
        return out

    return pick(data.load_id("test"), "label"), pick(data.load_ood_test(), "dataset")


def run(classifier: gqr.Classifier, texts: list[str]) -> tuple[list[Decision], list[float]]:
    """One query at a time: decisions and wall-clock milliseconds per query."""
    decisions, ms = [], []
    for i, text in enumerate(texts, 1):
        start = time.perf_counter()
        decisions.append(classifier.classify(text))
        ms.append((time.perf_counter() - start) * 1000.0)
        if i % 25 == 0:
            print(
                f"  {classifier.name}: {i}/{len(texts)}, mean {statistics.fmean(ms):.0f} ms",
                file=sys.stderr,
                flush=True,
            )
    return decisions, ms


def evaluate(decisions: list[Decision], id_items: list[Any], ood_items: list[Any]) -> dict[str, Any]:
    n_id = len(id_items)
    ood_pred: dict[str, list[str]] = {}
    for ex, d in zip(ood_items, decisions[n_id:], strict=True):
        ood_pred.setdefault(ex.dataset, []).append(d.label)
    s = score([ex.label for ex in id_items], [d.label for d in decisions[:n_id]], ood_pred)
    reasons: dict[str, int] = {}
    for d in decisions:
        reasons[str(d.reason)] = reasons.get(str(d.reason), 0) + 1
    return {**s.to_dict(), "reasons": reasons}


def summary(ms: list[float]) -> dict[str, float]:
    return {
        "p50_ms": statistics.median(ms),
        "mean_ms": statistics.fmean(ms),
        "p90_ms": float(np.percentile(ms, 90)),
    }


def key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-set", type=int, default=100)
    parser.add_argument("--backends", nargs="+", default=["prompt-router", "llama-guard", "nemo", "cascade"])
    parser.add_argument("--base-url", help="an OpenAI-compatible server; default: start the local SmolLM2 server")
    parser.add_argument("--model", default=None)
    parser.add_argument("--api-key-env", default=None)
    parser.add_argument("--router", default=None, help="router model for guards and cascade (default: gqr.load())")
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--max-tokens", type=int, default=8)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/_out/llm.json"))
    args = parser.parse_args()

    # Results accumulate in --out across runs (one run per backend set fits the shared machine better).
    results: dict[str, Any] = json.loads(args.out.read_text()) if args.out.exists() else {"backends": {}}
    id_items, ood_items = sample(args.per_set)
    texts = [ex.text for ex in id_items] + [ex.text for ex in ood_items]
    server = None
    if args.base_url is None:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        from llm_server import LLMServer

        server = LLMServer(parallel=2, ctx_per_slot=4096).start()
        args.base_url, args.model = server.base_url, server.model
    opts = {"base_url": args.base_url, "model": args.model, "api_key_env": args.api_key_env}
    opts |= {"timeout": 30.0, "retries": 1, "max_tokens": args.max_tokens}
    router = gqr.load(args.router) if set(args.backends) - {"prompt-router"} else None
    try:
        if router is not None:
            run_one(results, f"fast router ({router.name})", router, texts, id_items, ood_items, args)
        for name in args.backends:
            if name == "cascade":
                llm = load_backend("prompt-router", **opts)
                backend: gqr.Classifier = Cascade(llm, fast=router, threshold=args.threshold)
            elif name == "prompt-router":
                backend = load_backend(name, **opts)
            else:
                backend = load_backend(name, **opts, router=router)
            run_one(results, name, backend, texts, id_items, ood_items, args)
            if hasattr(backend, "close"):
                backend.close()
    finally:
        if server is not None:
            server.stop()
    fast = next((k for k in results["backends"] if k.startswith("fast router")), None)
    if fast and "prompt-router" in results["backends"]:
        results["cascade_sweep"] = sweep(results["backends"][fast], results["backends"]["prompt-router"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1))
    print(markdown(results))


def run_one(
    results: dict[str, Any], name: str, backend: gqr.Classifier, texts: list[str], id_items, ood_items, args
) -> None:
    load_before = os.getloadavg()
    start = time.perf_counter()
    decisions, ms = run(backend, texts)
    row = {
        **evaluate(decisions, id_items, ood_items),
        **summary(ms),
        "per_set": args.per_set,
        "model": args.model,
        "base_url": args.base_url,
        "wall_s": time.perf_counter() - start,
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    if isinstance(backend, Cascade):
        row["llm_fraction"] = backend.llm_fraction
        row["threshold"] = backend.threshold
    ids = {key(ex.text): ex for ex in [*id_items, *ood_items]}
    row["decisions"] = {
        key(t): [d.label, d.reason, round(float(d.confidence), 4), ids[key(t)].label, ids[key(t)].dataset]
        for t, d in zip(texts, decisions, strict=True)
    }
    results["backends"][name] = row
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1))  # after every backend, so a long run keeps what it did
    print(f"{name}: GQR {row['gqr_score']:.4f}, p50 {row['p50_ms']:.1f} ms", file=sys.stderr, flush=True)


def sweep(fast: dict[str, Any], llm: dict[str, Any]) -> list[dict]:
    """Cascade results per threshold, from the stored per-query decisions of the fast router and the prompt router
    (on the queries both saw)."""
    common = [k for k in fast["decisions"] if k in llm["decisions"]]
    rows = []
    for t in (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1.01):
        picked = [fast["decisions"][k] if fast["decisions"][k][2] >= t else llm["decisions"][k] for k in common]
        id_true = [p[3] for p in picked if p[3] != "ood"]
        id_pred = [p[0] for p in picked if p[3] != "ood"]
        ood_pred: dict[str, list[str]] = {}
        for p in picked:
            if p[3] == "ood":
                ood_pred.setdefault(p[4], []).append(p[0])
        s = score(id_true, id_pred, ood_pred)
        frac = sum(fast["decisions"][k][2] < t for k in common) / len(common)
        rows.append(
            {"threshold": t, "n": len(common), "llm_fraction": frac, "gqr_score": s.gqr_score, "id_acc": s.id_acc}
        )
        rows[-1]["ood_acc"] = s.ood_acc
    return rows


def markdown(results: dict[str, Any]) -> str:
    backends = results["backends"]
    sets = list(next(iter(backends.values()))["ood_acc_per_set"])
    head = ["backend", "n", "ID acc", *sets, "OOD acc", "GQR", "p50 ms/query", "mean ms/query"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, r in backends.items():
        n = str(len(r["decisions"]))
        cells = [name, n, f"{100 * r['id_acc']:.1f}", *(f"{100 * r['ood_acc_per_set'][s]:.0f}" for s in sets)]
        cells += [
            f"{100 * r['ood_acc']:.1f}",
            f"{100 * r['gqr_score']:.2f}",
            f"{r['p50_ms']:.1f}",
            f"{r['mean_ms']:.1f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    for name, gqr_score, latency in PAPER_ROWS:
        lines.append("| " + " | ".join([name, "", *[""] * (len(sets) + 2), f"{gqr_score:.2f}", latency, ""]) + " |")
    if "cascade_sweep" in results:
        lines += ["", "| cascade threshold | n | LLM traffic | ID acc | OOD acc | GQR |", "|---|---|---|---|---|---|"]
        for r in results["cascade_sweep"]:
            lines.append(
                f"| {r['threshold']:.2f} | {r['n']} | {100 * r['llm_fraction']:.1f}% | {100 * r['id_acc']:.1f} | "
                f"{100 * r['ood_acc']:.1f} | {100 * r['gqr_score']:.2f} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
