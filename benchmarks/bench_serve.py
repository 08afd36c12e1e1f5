"""Throughput and latency of ``gqr serve`` on loopback (issue 6).

Starts, as separate processes, an instant OpenAI-compatible upstream (a fixed chat completion) and ``gqr serve``
with a routes file pointing every domain at it, then drives them with an asyncio httpx load generator
(``--clients`` concurrent connections, ``--requests`` per phase, stopped after ``--seconds`` at most):

1. ``POST /v1/classify`` (one text per request, a fixed mix of law/finance/health/off-topic queries);
2. ``POST /v1/chat/completions`` straight to the upstream, then the same through gqr: the difference is the
   overhead the proxy adds (classification + forwarding), at 1 client (latency) and ``--clients`` (throughput);
3. the same through gqr with a 4-message conversation (system, user, assistant, then the question): every client
   message is checked (``check = "user"``, the default), 3 texts per request.

    python benchmarks/bench_serve.py [--model NAME_OR_PATH] [--clients 50] [--requests 20000] [--seconds 60]
        [--baseline DIR [--rounds 5]]

``--baseline DIR`` compares with the code of another tree (made with ``git archive REV | tar -x -C DIR``), in one
run: first the app's own CPU cost per request, with no network (the ASGI app called in-process; the baseline and
this tree in alternating subprocesses, ``--rounds`` times each, medians), then every load phase through gqr against
a second ``gqr serve`` started from the baseline tree, each phase run on the baseline then on this tree. It also
times two parts alone against the libraries considered for them: the request validation (pydantic, what gqr uses,
msgspec if installed, and the hand-written checks pydantic replaced) and the metrics (gqr's own writer, kept, and
prometheus_client if installed).

Prints a markdown block for the ``serve`` section of ``benchmarks/RESULTS.md``. Errors (non-200 answers or
failed connections) are counted and must be 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]

QUERIES = [
    "Can my landlord keep my security deposit after I move out?",
    "Should I put my savings in index funds or pay off my mortgage first?",
    "What are the early symptoms of type 2 diabetes?",
    "Who won the football world cup in 2014?",
    "Is a verbal agreement legally binding if there were no witnesses?",
    "How are capital gains on stocks taxed when I sell after two years?",
    "My child has had a fever for three days, when should we see a doctor?",
    "Write me a poem about the sea.",
]
COMPLETION = {
    "id": "chatcmpl-bench",
    "object": "chat.completion",
    "created": 0,
    "model": "bench",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}


def upstream_app() -> Callable[..., Awaitable[None]]:
    """The instant upstream: answers every request with a fixed chat completion."""
    body = json.dumps(COMPLETION).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]

    async def app(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:
            more = (await receive()).get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            httpx.post(url, json={"text": "hi", "messages": [{"role": "user", "content": "hi"}]}, timeout=1)
            return
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready after {timeout} s")


def tree_env(tree: Path) -> dict[str, str]:
    """The environment that makes a child process import gqr from ``tree``."""
    return {**os.environ, "PYTHONPATH": str(tree)}


@contextlib.contextmanager
def process(args: list[str], url: str, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen]:
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, env=env)
    try:
        wait_ready(url, proc)
        yield proc
    finally:
        proc.terminate()
        proc.wait(10)


async def load(
    url: str, payloads: list[dict], clients: int, requests: int, seconds: float, cpu: Callable[[], float]
) -> dict:
    """Drive ``url`` with ``clients`` concurrent workers; requests/s, latency percentiles in ms, errors by kind,
    and the CPU time ``cpu()`` (the gqr process) grew by per request.

    A warm-up of 200 requests (not counted) opens the connections first.
    """
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30, trust_env=False) as client:

        async def phase(count: int, seconds: float) -> tuple[list[float], Counter[str], float]:
            latencies: list[float] = []
            errors: Counter[str] = Counter()
            start = time.perf_counter()
            deadline = start + seconds

            slots = iter(range(count))

            async def worker() -> None:
                for k in slots:
                    if time.perf_counter() > deadline:
                        break
                    payload = payloads[k % len(payloads)]
                    t0 = time.perf_counter()
                    try:
                        status = (await client.post(url, json=payload)).status_code
                        error = None if status == 200 else f"HTTP {status}"
                    except httpx.HTTPError as exc:
                        error = type(exc).__name__
                    latencies.append(time.perf_counter() - t0)
                    if error:
                        errors[error] += 1

            await asyncio.gather(*(worker() for _ in range(clients)))
            return latencies, errors, time.perf_counter() - start

        await phase(min(200, requests), 10)
        cpu_start = cpu()
        latencies, errors, wall = await phase(requests, seconds)
        cpu_used = cpu() - cpu_start
    ms = np.array(latencies) * 1e3
    return {
        "requests": len(ms),
        "rps": len(ms) / wall,
        "p50": float(np.percentile(ms, 50)),
        "p99": float(np.percentile(ms, 99)),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "gqr_cpu_us": cpu_used / len(ms) * 1e6,
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


OFF_TOPIC = [QUERIES[3], QUERIES[7]]  # rejected by the shipped models: answered without any upstream
HISTORY = [
    {"role": "system", "content": "You are a careful assistant. Answer briefly."},
    {"role": "user", "content": "Hello, I have a question."},
    {"role": "assistant", "content": "Of course, what would you like to know?"},
]
APP_CASES: dict[str, tuple[str, str, list[bytes], int]] = {
    "POST /v1/classify, 1 text": ("POST", "/v1/classify", [json.dumps({"text": q}).encode() for q in QUERIES], 200),
    "POST /v1/classify, invalid body (422)": ("POST", "/v1/classify", [b'{"texts": ["a", 3]}'], 422),
    "chat, rejected (1 message)": (
        "POST",
        "/v1/chat/completions",
        [json.dumps({"model": "x", "messages": [{"role": "user", "content": q}]}).encode() for q in OFF_TOPIC],
        200,
    ),
    "chat, rejected (4 messages)": (
        "POST",
        "/v1/chat/completions",
        [
            json.dumps({"model": "x", "messages": [*HISTORY, {"role": "user", "content": q}]}).encode()
            for q in OFF_TOPIC
        ],
        200,
    ),
    "GET /metrics": ("GET", "/metrics", [b""], 200),
}


def app_cost(config: str, n: int) -> dict[str, float]:
    """CPU µs per request of the ASGI app of ``gqr serve`` (whichever gqr is on the path), called in-process:
    request parsing and validation, classification, metrics, the response; no sockets. Best of 5 passes of ``n``, in
    CPU time of the process, not wall time: other jobs on the machine inflate the latter."""
    from gqr.serve import Routes, create_app

    app = create_app(Routes.from_toml(config))

    async def call(method: str, path: str, body: bytes) -> int:
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        status = 0

        async def receive() -> dict:
            return messages.pop() if messages else {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": headers,
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
        }  # fmt: skip
        await app(scope, receive, send)
        return status

    async def run() -> dict[str, float]:
        out = {}
        for name, (method, path, bodies, expected) in APP_CASES.items():
            for k in range(200):  # warm-up
                await call(method, path, bodies[k % len(bodies)])
            passes = []
            for _ in range(5):
                start = time.process_time()
                statuses = {await call(method, path, bodies[k % len(bodies)]) for k in range(n)}
                passes.append((time.process_time() - start) / n * 1e6)
                if statuses != {expected}:
                    raise RuntimeError(f"{name}: expected HTTP {expected}, got {statuses}")
            out[name] = min(passes)
        return out

    return asyncio.run(run())


def compare_app_cost(baseline: Path, config: Path, rounds: int, n: int) -> dict[str, dict[str, float]]:
    """:func:`app_cost` of the baseline tree and of this one, in alternating subprocesses (before, after, after,
    before, ...: a drift in the machine's load hits both alike); medians over rounds."""
    runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    trees = [("before", baseline), ("after", ROOT)]
    for k in range(rounds):
        for label, tree in trees[:: 1 if k % 2 == 0 else -1]:
            args = [sys.executable, __file__, "--app-cost", str(config), "--requests", str(n)]
            out = subprocess.run(args, env=tree_env(tree), capture_output=True, text=True, check=True).stdout
            runs[label].append(json.loads(out))
            print(f"app cost {label}: {runs[label][-1]}", file=sys.stderr)
    return {
        label: {case: statistics.median(r[case] for r in results) for case in APP_CASES}
        for label, results in runs.items()
    }


def validators(n: int = 20_000) -> dict[str, dict[str, float]]:
    """µs to parse and check a classify body and a chat body: gqr's own request models (pydantic), the hand-written
    checks they replaced, and msgspec (if installed) with the same fields (without gqr's "text or texts" rule)."""
    from gqr.serve._app import _ChatRequest, _ClassifyRequest
    from gqr.serve._http import parse

    classify = json.dumps({"text": QUERIES[0]}).encode()
    chat = json.dumps({"model": "x", "messages": [*HISTORY, {"role": "user", "content": QUERIES[0]}]}).encode()
    ways = {
        "pydantic (gqr.serve)": (lambda b: parse(b, _ClassifyRequest), lambda b: parse(b, _ChatRequest)),
        "json + isinstance checks": (_hand_classify, _hand_chat),
    }
    with contextlib.suppress(ImportError):
        import msgspec

        class MClassify(msgspec.Struct):
            text: str | None = None
            texts: list[str] | None = None

        class MChat(msgspec.Struct):
            stream: bool = False

        decode_classify, decode_chat = msgspec.json.Decoder(MClassify), msgspec.json.Decoder()
        ways["msgspec"] = (decode_classify.decode, lambda b: msgspec.convert(decode_chat.decode(b), MChat))
    out = {}
    for name, (check_classify, check_chat) in ways.items():
        times = {}
        for case, check, body in (("classify", check_classify, classify), ("chat", check_chat, chat)):
            passes = []
            for _ in range(5):
                start = time.perf_counter()
                for _ in range(n):
                    check(body)
                passes.append((time.perf_counter() - start) / n * 1e6)
            times[case] = statistics.median(passes)
        out[name] = times
    return out


def metrics_cost(n: int = 50_000) -> dict[str, dict[str, float]]:
    """µs per request to count a request and its decision, and µs per ``/metrics`` scrape: gqr's own exposition
    writer against ``prometheus_client`` (if installed) keeping the same series, in a registry of its own, with the
    label children made once and kept."""
    from gqr import Decision
    from gqr.serve._metrics import BUCKETS, Metrics

    routes, endpoints = ("law", "finance", "healthcare"), ("/v1/classify", "/v1/chat/completions", "/metrics")
    ours = Metrics(routes)
    ways: dict[str, tuple[Callable[[Decision], None], Callable[[], object]]] = {}

    def count_ours(decision: Decision) -> None:
        ours.observe_request("/v1/classify", 200, 0.003)
        ours.observe_decision(decision)

    ways["gqr (hand-written)"] = (count_ours, ours.render)
    with contextlib.suppress(ImportError):
        import prometheus_client as prom

        registry = prom.CollectorRegistry()
        requests = prom.Counter("gqr_requests", "", ["endpoint", "status"], registry=registry)
        routed = prom.Counter("gqr_routes", "", ["route"], registry=registry)
        rejected = prom.Counter("gqr_rejections", "", ["reason"], registry=registry)
        prom.Counter("gqr_upstream_errors", "", ["route", "kind"], registry=registry)
        duration = prom.Histogram("gqr_request_duration_seconds", "", ["endpoint"], buckets=BUCKETS, registry=registry)
        route_child = {r: routed.labels(r) for r in routes}
        for reason in ("off_topic", "unsafe", "other_language", "low_confidence", "empty", "too_long", "error"):
            rejected.labels(reason)
        request_child, duration_child = requests.labels("/v1/classify", "200"), duration.labels("/v1/classify")

        def count_prom(decision: Decision) -> None:
            request_child.inc()
            duration_child.observe(0.003)
            route_child[decision.route].inc()  # type: ignore[index]

        ways["prometheus_client"] = (count_prom, lambda: prom.generate_latest(registry))
    for endpoint in endpoints:  # the same series in both before the scrapes are timed
        ours.observe_request(endpoint, 200, 0.003)
        if "prometheus_client" in ways:
            requests.labels(endpoint, "200").inc()
            duration.labels(endpoint).observe(0.003)
    decision = Decision(route="law", confidence=0.9)
    out = {}
    for name, (count, render) in ways.items():
        per_request = min(timeit.repeat(lambda c=count: c(decision), number=n, repeat=5)) / n * 1e6
        per_scrape = min(timeit.repeat(render, number=200, repeat=5)) / 200 * 1e6
        out[name] = {"request": per_request, "scrape": per_scrape}
    return out


def _hand_classify(body: bytes) -> list[str]:
    """The checks of the hand-written validation that pydantic replaced (the baseline for :func:`validators`)."""
    payload = json.loads(body)
    if not isinstance(payload, dict) or ("text" in payload) == ("texts" in payload):
        raise ValueError("body")
    texts = [payload["text"]] if "text" in payload else payload["texts"]
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise ValueError("texts")
    return texts


def _hand_chat(body: bytes) -> dict:
    payload = json.loads(body)
    if not isinstance(payload, dict) or not isinstance(payload.get("stream", False), bool):
        raise ValueError("stream")
    return payload


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="router model name or path (default: the default model)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20_000, help="requests per phase")
    parser.add_argument("--seconds", type=float, default=60, help="longest time per phase")
    parser.add_argument("--baseline", type=Path, help="a source tree of the code to compare with (see above)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds of the in-process comparison")
    parser.add_argument("--upstream-port", type=int, help=argparse.SUPPRESS)  # internal: run the instant upstream
    parser.add_argument("--app-cost", help=argparse.SUPPRESS)  # internal: print app_cost(config) as JSON
    args = parser.parse_args()
    if args.app_cost:
        print(json.dumps(app_cost(args.app_cost, min(args.requests, 2_000))))
        return
    if args.upstream_port:
        import uvicorn

        uvicorn.run(upstream_app(), host="127.0.0.1", port=args.upstream_port, log_level="warning", access_log=False)
        return

    up_port, gqr_port = free_port(), free_port()
    upstream = f"http://127.0.0.1:{up_port}/v1"
    routes = "".join(
        f'[upstreams.{d}]\nbase_url = "{upstream}"\nmodel = "{d}-bench"\ntimeout = 30\n\n'
        for d in ("law", "finance", "healthcare")
    )
    if args.model:
        model = str(Path(args.model).resolve()) if os.sep in args.model else args.model
        routes = f"[router]\nmodel = {json.dumps(model)}\n\n{routes}"
    gqr_url = f"http://127.0.0.1:{gqr_port}"
    classify = [{"text": q} for q in QUERIES]
    chat = [{"model": "x", "messages": [{"role": "user", "content": q}]} for q in QUERIES[:3]]  # routed, forwarded
    history = [
        {"role": "system", "content": "You are a careful assistant. Answer briefly."},
        {"role": "user", "content": "Hello, I have a question."},
        {"role": "assistant", "content": "Of course, what would you like to know?"},
    ]
    talk = [{"model": "x", "messages": [*history, {"role": "user", "content": q}]} for q in QUERIES[:3]]
    rows = []
    before_port = free_port()
    before_url = f"http://127.0.0.1:{before_port}"
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        config = Path(tmp) / "routes.toml"
        config.write_text(routes, encoding="utf-8")
        uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        if args.baseline:
            costs = compare_app_cost(args.baseline, config, args.rounds, args.requests)
            sys.path.insert(0, str(ROOT))  # validators and metrics_cost import this tree's gqr
            checks, counting = validators(), metrics_cost()
        serve = [sys.executable, "-m", "gqr", "serve", "--config", str(config), "--log-level", "warning"]
        stack.enter_context(
            process([sys.executable, __file__, "--upstream-port", str(up_port)], f"{upstream}/chat/completions")
        )
        gqr_proc = stack.enter_context(
            process([*serve, "--port", str(gqr_port)], f"{gqr_url}/v1/classify", tree_env(ROOT))
        )
        servers = [("", gqr_url, gqr_proc)]
        if args.baseline:
            before_proc = stack.enter_context(
                process([*serve, "--port", str(before_port)], f"{before_url}/v1/classify", tree_env(args.baseline))
            )
            servers.insert(0, (" (before)", before_url, before_proc))
        model = httpx.get(f"{gqr_url}/healthz").json()["model"]
        phases = [
            ("POST /v1/classify", "/v1/classify", classify, args.clients),
            ("chat, direct to upstream", None, chat, 1),
            ("chat, through gqr", "/v1/chat/completions", chat, 1),
            ("chat, direct to upstream", None, chat, args.clients),
            ("chat, through gqr", "/v1/chat/completions", chat, args.clients),
            ("chat, 4-message conversation, through gqr", "/v1/chat/completions", talk, args.clients),
        ]
        for name, path, payloads, clients in phases:
            n = args.requests if clients > 1 else min(args.requests, 2_000)
            targets = servers if path else [("", None, gqr_proc)]
            for suffix, base, proc in targets:
                url = f"{base}{path}" if path else f"{upstream}/chat/completions"
                stats = asyncio.run(load(url, payloads, clients, n, args.seconds, lambda p=proc: cpu_seconds(p.pid)))
                rows.append((name + suffix, clients, stats))
                print(f"{name}{suffix} x{clients}: {stats}", file=sys.stderr)

    command = f"python benchmarks/bench_serve.py --clients {args.clients} --requests {args.requests}"
    if args.baseline:
        command += f" --baseline {args.baseline} --rounds {args.rounds}"
    print(f"`{command}` ({datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC), model `{model}`.")
    print(f"Machine: {machine()}; client and servers share it. Load before the run: `{uptime}`.")
    print()
    if args.baseline:
        print(f"App CPU per request in-process, µs (best of 5 passes, median of {args.rounds} alternating rounds):")
        print()
        print("| request | before | after | after / before |")
        print("|---|---:|---:|---:|")
        for case in APP_CASES:
            before, after = costs["before"][case], costs["after"][case]
            print(f"| {case} | {before:.1f} | {after:.1f} | {after / before:.2f} |")
        print()
        print("Request validation alone, µs per body (parse + check):")
        print()
        print("| way | classify body | 4-message chat body |")
        print("|---|---:|---:|")
        for way, t in checks.items():
            print(f"| {way} | {t['classify']:.2f} | {t['chat']:.2f} |")
        print()
        print("Metrics alone, µs (best of 5):")
        print()
        print("| way | count a request and its decision | render /metrics |")
        print("|---|---:|---:|")
        for way, t in counting.items():
            print(f"| {way} | {t['request']:.2f} | {t['scrape']:.0f} |")
        print()
    print("| what | clients | requests | req/s | p50 ms | p99 ms | errors | gqr CPU µs/request |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, clients, s in rows:
        print(
            f"| {name} | {clients} | {s['requests']:.0f} | {s['rps']:.0f} | {s['p50']:.2f} | {s['p99']:.2f} |"
            f" {s['errors']} | {s['gqr_cpu_us']:.0f} |"  # ~0 for the direct rows: gqr is not involved
        )
    for name, clients, s in rows:
        if s["errors"]:
            print(f"\nErrors of {name} x{clients}: {s['error_kinds']}.")
    by = {(name, c): s for name, c, s in rows}
    for c in sorted({1, args.clients}):
        direct, proxied = by["chat, direct to upstream", c], by["chat, through gqr", c]
        print(
            f"\nProxy overhead at {c} client(s): p50 +{proxied['p50'] - direct['p50']:.2f} ms,"
            f" p99 +{proxied['p99'] - direct['p99']:.2f} ms."
        )


if __name__ == "__main__":
    main()
