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
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import numpy as np

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


@contextlib.contextmanager
def process(args: list[str], url: str) -> Iterator[subprocess.Popen]:
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)
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
    parser.add_argument("--upstream-port", type=int, help=argparse.SUPPRESS)  # internal: run the instant upstream
    args = parser.parse_args()
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
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "routes.toml"
        config.write_text(routes, encoding="utf-8")
        serve = [sys.executable, "-m", "gqr", "serve", "--config", str(config), "--port", str(gqr_port)]
        with (
            process([sys.executable, __file__, "--upstream-port", str(up_port)], f"{upstream}/chat/completions"),
            process([*serve, "--log-level", "warning"], f"{gqr_url}/v1/classify") as gqr_proc,
        ):
            model = httpx.get(f"{gqr_url}/healthz").json()["model"]
            uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
            for name, url, payloads, clients in [
                ("POST /v1/classify", f"{gqr_url}/v1/classify", classify, args.clients),
                ("chat, direct to upstream", f"{upstream}/chat/completions", chat, 1),
                ("chat, through gqr", f"{gqr_url}/v1/chat/completions", chat, 1),
                ("chat, direct to upstream", f"{upstream}/chat/completions", chat, args.clients),
                ("chat, through gqr", f"{gqr_url}/v1/chat/completions", chat, args.clients),
                ("chat, 4-message conversation, through gqr", f"{gqr_url}/v1/chat/completions", talk, args.clients),
            ]:
                n = args.requests if clients > 1 else min(args.requests, 2_000)
                stats = asyncio.run(load(url, payloads, clients, n, args.seconds, lambda: cpu_seconds(gqr_proc.pid)))
                rows.append((name, clients, stats))
                print(f"{name} x{clients}: {stats}", file=sys.stderr)

    print(
        f"`python benchmarks/bench_serve.py --clients {args.clients} --requests {args.requests}`"
        f" ({datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC), model `{model}`."
    )
    print(f"Machine: {machine()}; client and servers share it. Load before the run: `{uptime}`.")
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
