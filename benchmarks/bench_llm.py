"""LLM backends next to gqr's default model on the same seeded queries: accuracy, reasons, latency, RSS, cascade.

The sample is ``--per-set`` queries from each of the 7 GQR-Bench OOD test sets and ``--id-per-domain`` (default
``--per-set``) from each domain of the ID test split, drawn with a fixed seed (stratified: a seeded shuffle per
set or domain, its first ``n``; smaller samples are prefixes of larger ones). Each query is sent alone (as a user
would), so the latency is per query.

Every LLM answer is cached in ``--answers`` (JSON, keyed by backend, model, prompt hash and query): a re-run asks
the LLM only for queries it has not answered yet, and starts no server when there are none. gqr's own decisions
(the ``gqr.load()`` model at run time, or ``--router``) are always recomputed, and so are the parts of the LLM
rows that depend on them (the router after NeMo's rail, the cascade). The cascade (gqr first, the prompt router
only for queries gqr decides with confidence below a threshold) is computed from the per-query decisions over
thresholds, with no extra LLM call, and plotted to ``--plot``.

LLM server: ``--gguf PATH`` serves that file with llama.cpp (xllamacpp) on 127.0.0.1 with ``--threads`` threads
(RSS of that process is measured); ``--base-url``/``--model`` use a running OpenAI-compatible server; neither
starts SmolLM2-135M, the test suite's model (both through ``examples/demo_upstream.py``'s ``LocalLLM``).
On a shared machine run it niced::

    nice -n 19 python benchmarks/bench_llm.py --gguf "$(python benchmarks/get_local_llm.py)" --per-set 100
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import gqr
from gqr import Decision, data
from gqr.bench import score

SEED = 0
PAPER_ROWS = [  # the paper's table (Šléher et al. 2025): GQR score (%) and latency per query, on a GPU
    ("Llama-3.1-8B prompt router (paper)", 91.67, "62.8"),
    ("GPT-4o-mini prompt router (paper)", 91.61, "667"),
]
LLM_BACKENDS = ("prompt-router", "nemo", "llama-guard")
THRESHOLDS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 1.01)
OUT = Path("benchmarks/_out")


# ---------------------------------------------------------------------------------------------------- the sample
def sample(per_set: int, id_per_domain: int | None = None) -> tuple[list[Any], list[Any]]:
    """The first ``id_per_domain`` (default ``per_set``) examples of a seeded shuffle of each ID test domain and the
    first ``per_set`` of each OOD test set. Smaller samples are prefixes of larger ones, so runs share queries."""

    def pick(items: list[Any], key: str, n: int) -> list[Any]:
        groups: dict[str, list[Any]] = {}
        for ex in items:
            groups.setdefault(getattr(ex, key), []).append(ex)
        out = []
        for k, name in enumerate(sorted(groups)):
            order = np.random.default_rng([SEED, k]).permutation(len(groups[name]))
            out += [groups[name][i] for i in order[:n]]
        return out

    n_id = per_set if id_per_domain is None else id_per_domain
    return pick(data.load_id("test"), "label", n_id), pick(data.load_ood_test(), "dataset", per_set)


# ------------------------------------------------------------------------------------------------ the LLM server
class AnswerCache:
    """LLM answers in a JSON file: ``answers[backend][model][prompt_hash][query]``, plus server measurements."""

    def __init__(self, path: Path) -> None:
        self.path = path
        loaded = json.loads(path.read_text()) if path.exists() else {}
        self.answers: dict[str, Any] = loaded.get("answers", {})
        self.servers: dict[str, Any] = loaded.get("servers", {})
        self.runs: list[dict[str, Any]] = loaded.get("runs", [])
        self._dirty = 0

    def get(self, backend: str, model: str, prompt: str, query: str) -> dict[str, Any] | None:
        return self.answers.get(backend, {}).get(model, {}).get(prompt, {}).get(query)

    def put(self, backend: str, model: str, prompt: str, query: str, answer: dict[str, Any]) -> None:
        self.answers.setdefault(backend, {}).setdefault(model, {}).setdefault(prompt, {})[query] = answer
        self._dirty += 1
        if self._dirty >= 1:  # every answer: a stopped run loses none (the file is small)
            self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"answers": self.answers, "servers": self.servers, "runs": self.runs}, indent=0))
        tmp.replace(self.path)
        self._dirty = 0


def prompt_hash(backend: str, max_tokens: int) -> str:
    """What the LLM was asked, hashed: the backend's prompt template and the answer length."""
    from gqr.guards import PAPER_CATEGORIES, POLICY_PROMPT, _llama_guard
    from gqr.guards._prompt_router import messages

    templates = {"prompt-router": json.dumps(messages("{query}")), "nemo": POLICY_PROMPT}
    template = templates.get(backend) or _llama_guard._TEMPLATE + json.dumps(PAPER_CATEGORIES)
    return hashlib.sha256(f"{template}\n{max_tokens}".encode()).hexdigest()[:12]


# ------------------------------------------------------------------------------------------ per-query decisions
def timed(classify: Callable[[str], Decision], texts: Sequence[str], label: str) -> list[tuple[Decision, float]]:
    """One query at a time: each decision and its wall-clock milliseconds."""
    out: list[tuple[Decision, float]] = []
    for i, text in enumerate(texts, 1):
        start = time.perf_counter()
        decision = classify(text)
        out.append((decision, (time.perf_counter() - start) * 1000.0))
        if i % 25 == 0 and sum(m for _, m in out) > 5000.0:  # progress for slow classifiers only
            ms = statistics.fmean(m for _, m in out)
            print(f"  {label}: {i}/{len(texts)}, mean {ms:.0f} ms", file=sys.stderr, flush=True)
    return out


def model_key(args: argparse.Namespace) -> str:
    """The model's name in the cache: the GGUF file's stem, ``--model``, or the test suite's SmolLM2."""
    if args.gguf is not None:
        return args.gguf.stem
    return args.model or "smollm2-135m"


def interleaved(items: list[Any]) -> list[str]:
    """The texts of a sample in the order to ask them: every set and domain advances at the same pace (by the share
    of its own queries done), so a run stopped early leaves a stratified prefix (a smaller ``--per-set``) done."""
    groups: dict[str, list[Any]] = {}
    for ex in items:
        groups.setdefault(ex.label if ex.label != "ood" else f"ood/{ex.dataset}", []).append(ex)
    ranked = [((i + 1) / len(g), k, ex.text) for k, g in enumerate(groups.values()) for i, ex in enumerate(g)]
    return [text for *_, text in sorted(ranked)]


def llm_answers(
    backend: str, texts: list[str], cache: AnswerCache, args: argparse.Namespace, box: dict[str, Any]
) -> list[dict[str, Any]]:
    """The cached answer of ``backend`` for each text (in :func:`interleaved` order); the missing ones are asked now
    (the server starts then), in that order.

    prompt-router answers hold the route and reason; guard answers (nemo, llama-guard) hold whether the guard passed
    the query, since the router after the guard is gqr's model at run time. A failed call is not cached: a re-run
    asks again.
    """
    model, prompt = model_key(args), prompt_hash(backend, args.max_tokens)
    missing = [t for t in dict.fromkeys(texts) if cache.get(backend, model, prompt, t) is None]
    done: list[float] = []
    if missing:
        if args.cache_only:
            raise SystemExit(f"--cache-only: {len(missing)} {backend} answers of {model} are not in {cache.path}")
        classifier = make_backend(backend, args, box)
        print(f"{backend}: asking {model} for {len(missing)} answers", file=sys.stderr, flush=True)
        run = {"backend": backend, "model": model, "asked": len(missing), "load_before": os.getloadavg()}
        run |= {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "nice": os.nice(0)}
        start = time.perf_counter()
        failed = 0
        for text in missing:
            t0 = time.perf_counter()
            decision = classifier.classify(text)
            answer = to_answer(backend, decision, (time.perf_counter() - t0) * 1000.0)
            if answer is None:
                failed += 1
            else:
                cache.put(backend, model, prompt, text, answer)
            done.append(time.perf_counter() - t0)
            if len(done) % 25 == 0:
                print(f"  {backend}: {len(done)}/{len(missing)}, mean {statistics.fmean(done):.1f} s", file=sys.stderr)
        run |= {"wall_s": round(time.perf_counter() - start, 1), "failed": failed, "load_after": os.getloadavg()}
        if "server" in box and hasattr(box["server"], "memory_mb"):
            run |= box["server"].memory_mb()
        cache.runs.append(run)
        cache.save()
        if hasattr(classifier, "close"):
            classifier.close()
    return [cache.get(backend, model, prompt, t) or {"error": "no answer"} for t in texts]


def to_answer(backend: str, decision: Decision, ms: float) -> dict[str, Any] | None:
    """What the cache keeps of one LLM decision (``None`` for a failed call): the prompt router's route and reason,
    or whether a guard passed the query (then gqr's model routes it, at every run) and its reason if not."""
    if decision.reason == "error":
        return None
    raw = decision.raw if isinstance(decision.raw, dict) else {}
    if backend == "prompt-router":
        return {"route": decision.route, "reason": decision.reason, "text": raw.get("text"), "ms": round(ms, 2)}
    passed = "guard" in raw and "router" in raw  # the guard let it through, the router decided
    guard = raw["guard"] if passed else raw
    answer = {"passed": passed, "text": guard.get("text"), "ms": round(ms, 2)}
    return answer if passed else answer | {"reason": decision.reason, "confidence": float(decision.confidence)}


def make_backend(backend: str, args: argparse.Namespace, box: dict[str, Any]) -> Any:
    """The LLM backend, starting the local server on first use (kept in ``box["server"]``)."""
    from gqr.guards import load_backend

    if args.base_url is None and "server" not in box:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
        from demo_upstream import LocalLLM

        # one query at a time, as the latency protocol sends them
        server = LocalLLM(args.gguf, parallel=1, ctx_per_slot=4096, threads=args.threads).start(timeout=600.0)
        box["server"] = server
        print(f"LLM server up in {server.load_s:.1f} s at {server.base_url}", file=sys.stderr)
    base_url = args.base_url or box["server"].base_url
    opts: dict[str, Any] = {"base_url": base_url, "model": model_key(args), "api_key_env": args.api_key_env}
    opts |= {"timeout": args.timeout, "retries": 1, "max_tokens": args.max_tokens, "max_concurrency": 1}
    if backend != "prompt-router":
        opts["router"] = box["router"]  # only routes queries the rail passed; recomputed at every run anyway
    return load_backend(backend, **opts)


def llm_decisions(
    backend: str, answers: list[dict[str, Any]], gqr_rows: list[tuple[Decision, float]]
) -> list[tuple[Decision, float]]:
    """Decisions and milliseconds from cached answers; a query a guard passed takes gqr's decision."""
    out = []
    for answer, (by_gqr, _) in zip(answers, gqr_rows, strict=True):
        if "error" in answer:
            out.append((Decision(route=None, confidence=0.0, reason="error", raw=answer), float("nan")))
        elif backend == "prompt-router":
            conf = 0.0 if answer["reason"] == "low_confidence" else 1.0
            out.append((Decision(route=answer["route"], confidence=conf, reason=answer["reason"]), answer["ms"]))
        elif answer.get("passed", not answer.get("blocked", True)):
            out.append((by_gqr, answer["ms"]))  # the guard passed it: gqr's model routes (its ms are in "ms")
        else:
            reason, conf = answer.get("reason", "unsafe"), answer.get("confidence", 1.0)
            out.append((Decision(route=None, confidence=conf, reason=reason), answer["ms"]))
    return out


# ------------------------------------------------------------------------------------------------------- scoring
def evaluate(rows: list[tuple[Decision, float]], id_items: list[Any], ood_items: list[Any]) -> dict[str, Any]:
    """GQR-Bench scores (with reason accuracy), latency percentiles and reason counts of one backend's rows."""
    n_id = len(id_items)
    ood_pred: dict[str, list[str]] = {}
    ood_reasons: dict[str, list[str | None]] = {}
    expected: dict[str, str] = {}
    for ex, (d, _) in zip(ood_items, rows[n_id:], strict=True):
        ood_pred.setdefault(ex.dataset, []).append(d.label)
        ood_reasons.setdefault(ex.dataset, []).append(d.reason)
        if ex.reason is not None:
            expected[ex.dataset] = ex.reason
    id_pred = [d.label for d, _ in rows[:n_id]]
    s = score([ex.label for ex in id_items], id_pred, ood_pred, ood_reasons=ood_reasons, expected_reasons=expected)
    ms = [m for _, m in rows if m == m]  # failed calls (nan) have no latency
    reasons: dict[str, int] = {}
    for d, _ in rows:
        reasons[str(d.reason)] = reasons.get(str(d.reason), 0) + 1
    out = {**s.to_dict(), "reasons": reasons, "n": len(rows), "errors": reasons.get("error", 0)}
    out |= {"p50_ms": float(np.percentile(ms, 50)), "p90_ms": float(np.percentile(ms, 90))}
    return out | {"mean_ms": statistics.fmean(ms)}


def cascade(
    fast: list[tuple[Decision, float]], llm: list[tuple[Decision, float]], threshold: float
) -> tuple[list[tuple[Decision, float]], float]:
    """gqr's decision when its confidence is at least ``threshold``, else the LLM's (latency: both); LLM share."""
    rows, sent = [], 0
    for (f, f_ms), (g, g_ms) in zip(fast, llm, strict=True):
        if f.confidence >= threshold:
            rows.append((f, f_ms))
        else:
            rows.append((g, f_ms + g_ms))
            sent += 1
    return rows, sent / len(fast)


def sweep(
    fast: list[tuple[Decision, float]], llm: list[tuple[Decision, float]], id_items: list[Any], ood_items: list[Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The cascade at :data:`THRESHOLDS` (table) and at every distinct gqr confidence (curve)."""

    def at(t: float) -> dict[str, Any]:
        rows, share = cascade(fast, llm, t)
        e = evaluate(rows, id_items, ood_items)
        keep = ("gqr_score", "id_acc", "ood_acc", "reason_acc", "p50_ms", "p90_ms", "mean_ms")
        return {"threshold": t, "llm_share": share, **{k: e[k] for k in keep}}

    conf = sorted({round(float(d.confidence), 6) for d, _ in fast})
    if len(conf) > 150:
        conf = sorted({conf[int(i)] for i in np.linspace(0, len(conf) - 1, 150)})
    return [at(t) for t in THRESHOLDS], [at(t) for t in [*conf, 1.01]]


class Replay:
    """A :class:`gqr.Classifier` that gives stored decisions by text (the cached LLM answers), for a real
    :class:`gqr.guards.Cascade` run that asks no LLM."""

    def __init__(self, name: str, by_text: dict[str, Decision]) -> None:
        self.name = name
        self._by_text = by_text

    def classify(self, text: str) -> Decision:
        return self._by_text[text]

    def classify_batch(self, texts: Sequence[str]) -> list[Decision]:
        return [self._by_text[t] for t in texts]


def check_cascade(
    router: gqr.Classifier, texts: list[str], fast: list[tuple[Decision, float]], llm: list[tuple[Decision, float]]
) -> dict[str, Any]:
    """gqr's :class:`~gqr.guards.Cascade` at 0.9 over the replayed LLM answers agrees with :func:`cascade`."""
    from gqr.guards import Cascade

    threshold = 0.9
    real = Cascade(
        Replay("replay", {t: d for t, (d, _) in zip(texts, llm, strict=True)}), fast=router, threshold=threshold
    )
    got = [real.classify(t).label for t in texts]
    rows, share = cascade(fast, llm, threshold)
    same = sum(a == d.label for a, (d, _) in zip(got, rows, strict=True))
    return {"threshold": threshold, "agree": same, "n": len(texts), "llm_share": share, "real": real.llm_fraction}


# ------------------------------------------------------------------------------------------------------- reports
def pct(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{100 * x:.{digits}f}"


def ms(x: float) -> str:
    """Milliseconds with the digits that matter: 0.042, 3.1, 3,120."""
    return f"{x:.3f}" if x < 1 else f"{x:.1f}" if x < 100 else f"{x:,.0f}"


def markdown(results: dict[str, Any]) -> str:
    rows = results["rows"]
    sets = list(next(iter(rows.values()))["ood_acc_per_set"])
    head = ["backend", "n", "GQR", "ID", *sets, "OOD", "reason acc", "p50 ms", "p90 ms", "RSS MB"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, r in rows.items():
        cells = [name, str(r["n"]), pct(r["gqr_score"], 2), pct(r["id_acc"])]
        cells += [pct(r["ood_acc_per_set"][s], 0) for s in sets]
        cells += [pct(r["ood_acc"]), pct(r["reason_acc"]), ms(r["p50_ms"]), ms(r["p90_ms"])]
        cells.append(f"{r['rss_mb']:.0f}" if r.get("rss_mb") else "-")
        lines.append("| " + " | ".join(cells) + " |")
    for name, gqr_score, latency in PAPER_ROWS:
        blank = [""] * (len(sets) + 2)
        lines.append("| " + " | ".join([name, "", f"{gqr_score:.2f}", *blank, "", latency, "", ""]) + " |")
    lines += ["", "| cascade threshold | LLM share | GQR | ID | OOD | reason acc | mean ms | p50 ms | p90 ms |"]
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for r in results["cascade"]:
        lines.append(
            f"| {r['threshold']:g} | {pct(r['llm_share'])} % | {pct(r['gqr_score'], 2)} | {pct(r['id_acc'])} | "
            f"{pct(r['ood_acc'])} | {pct(r['reason_acc'])} | {ms(r['mean_ms'])} | {ms(r['p50_ms'])} | "
            f"{ms(r['p90_ms'])} |"
        )
    return "\n".join(lines)


def plot(results: dict[str, Any], path: Path) -> None:
    """GQR score against the share of queries sent to the LLM (a small PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curve = sorted(results["cascade_curve"], key=lambda r: r["llm_share"])
    x = [100 * r["llm_share"] for r in curve]
    fig, ax = plt.subplots(figsize=(6.0, 3.6), dpi=100)
    ax.plot(x, [100 * r["gqr_score"] for r in curve], "-", color="C0", label="cascade: GQR score")
    ax.plot(x, [100 * r["id_acc"] for r in curve], ":", color="C2", label="cascade: ID accuracy")
    ax.plot(x, [100 * r["ood_acc"] for r in curve], "--", color="C3", label="cascade: OOD accuracy")
    gqr_alone = results["rows"][results["gqr_row"]]["gqr_score"]
    ax.axhline(100 * gqr_alone, color="grey", lw=0.8)
    ax.annotate(f"gqr alone: GQR {100 * gqr_alone:.2f}", (99, 100 * gqr_alone), fontsize=8, va="bottom", ha="right")
    for r in results["cascade"]:
        if 0.0 < r["llm_share"] < 1.0:
            ax.plot(100 * r["llm_share"], 100 * r["gqr_score"], "o", color="C0", ms=3)
            ax.annotate(f"{r['threshold']:g}", (100 * r["llm_share"], 100 * r["gqr_score"]), fontsize=7)
    ax.set_xlabel("queries sent to the LLM (%)")
    ax.set_ylabel("%")
    title = f"Cascade: gqr ({results['gqr_model']}) answers, {results['llm_model']}\nanswers when gqr's confidence"
    ax.set_title(f"{title} is below the threshold (dots: thresholds)", fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


# ---------------------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-set", type=int, default=100, help="queries per OOD set (7 sets)")
    parser.add_argument("--id-per-domain", type=int, default=None, help="ID queries per domain (default --per-set)")
    parser.add_argument("--nemo-per-set", type=int, default=None, help="nemo on a prefix subset (default: all)")
    parser.add_argument("--backends", nargs="+", default=["prompt-router", "nemo"], choices=LLM_BACKENDS)
    parser.add_argument("--gguf", type=Path, help="serve this GGUF locally (see benchmarks/get_local_llm.py)")
    parser.add_argument("--threads", type=int, default=2, help="llama.cpp threads of the local server")
    parser.add_argument("--base-url", help="a running OpenAI-compatible server instead of a local one")
    parser.add_argument("--model", default=None, help="the model name on --base-url")
    parser.add_argument("--api-key-env", default=None)
    parser.add_argument("--router", default=None, help="gqr model (default: gqr.load(), the shipped default)")
    parser.add_argument("--max-tokens", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per LLM call (niced, shared CPU)")
    parser.add_argument("--cache-only", action="store_true", help="fail instead of asking the LLM")
    parser.add_argument("--answers", type=Path, default=OUT / "llm_answers.json", help="the LLM answer cache")
    parser.add_argument("--out", type=Path, default=OUT / "llm.json")
    parser.add_argument("--plot", type=Path, default=Path("benchmarks/llm_cascade.png"))
    args = parser.parse_args(argv)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `kill PID` stops the LLM server too (finally below)
    id_items, ood_items = sample(args.per_set, args.id_per_domain)
    texts = [ex.text for ex in id_items] + [ex.text for ex in ood_items]
    router = gqr.load(args.router)
    for text in texts[:20]:  # warm-up
        router.classify(text)
    gqr_rows = timed(router.classify, texts, router.name)
    cache = AnswerCache(args.answers)
    box: dict[str, Any] = {"router": router}
    gqr_name = f"gqr {router.name} (default model)" if args.router is None else f"gqr {router.name}"
    results: dict[str, Any] = {"rows": {}, "gqr_row": gqr_name, "gqr_model": router.name, "llm_model": model_key(args)}
    results |= {"per_set": args.per_set, "id_per_domain": args.id_per_domain or args.per_set, "seed": SEED}
    results |= {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "argv": sys.argv[1:]}
    results["rows"][gqr_name] = evaluate(gqr_rows, id_items, ood_items)
    llm_rows: dict[str, list[tuple[Decision, float]]] = {}
    try:
        for backend in args.backends:
            if backend == "nemo" and args.nemo_per_set is not None:
                sub_id, sub_ood = sample(
                    args.nemo_per_set,
                    args.nemo_per_set if args.id_per_domain is None else min(args.nemo_per_set, args.id_per_domain),
                )
                sub = [ex.text for ex in sub_id] + [ex.text for ex in sub_ood]
                by_text = dict(zip(texts, gqr_rows, strict=True))
                sub_gqr = [by_text[t] for t in sub]
                llm_answers(backend, interleaved([*sub_id, *sub_ood]), cache, args, box)
                answers = llm_answers(backend, sub, cache, args, box)
                rows = llm_decisions(backend, answers, sub_gqr)
                name = f"nemo self-check input + gqr ({model_key(args)}), subset"
                results["rows"][name] = evaluate(rows, sub_id, sub_ood)
                results["rows"][f"{gqr_name}, same subset"] = evaluate(sub_gqr, sub_id, sub_ood)
                continue
            llm_answers(backend, interleaved([*id_items, *ood_items]), cache, args, box)  # asks what is missing
            answers = llm_answers(backend, texts, cache, args, box)
            llm_rows[backend] = llm_decisions(backend, answers, gqr_rows)
    finally:
        if "server" in box:
            cache.servers[model_key(args)] = {
                **(box["server"].memory_mb() if hasattr(box["server"], "memory_mb") else {}),
                "threads": args.threads,
                "load_s": round(getattr(box["server"], "load_s", 0.0), 2),
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            }
            cache.save()
            box["server"].stop()
    server = cache.servers.get(model_key(args), {})
    for name in [n for n in results["rows"] if n.startswith("nemo")]:  # a subset row: same server
        results["rows"][name] |= server
    labels = {
        "prompt-router": "prompt router",
        "nemo": "nemo self-check input + gqr",
        "llama-guard": "llama-guard + gqr",
    }
    for backend, rows in llm_rows.items():
        results["rows"][f"{labels[backend]} ({model_key(args)})"] = evaluate(rows, id_items, ood_items) | server
    if "prompt-router" in llm_rows:
        results["cascade"], results["cascade_curve"] = sweep(gqr_rows, llm_rows["prompt-router"], id_items, ood_items)
        results["cascade_check"] = check_cascade(router, texts, gqr_rows, llm_rows["prompt-router"])
        print(f"Cascade class vs the sweep at 0.9: {results['cascade_check']}", file=sys.stderr)
        plot(results, args.plot)
    results["server"], results["runs"] = server, cache.runs
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1))
    print(markdown(results))


if __name__ == "__main__":
    main()
