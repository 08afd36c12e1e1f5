"""Real servers on loopback for the serve tests: fake OpenAI-compatible upstreams and the gqr app under uvicorn.

``KeywordClassifier`` is a small deterministic classifier (keyword rules giving valid Decisions) so that routing
mechanics are tested independently of the trained models.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from gqr import Decision

OUTPUTS = ("law", "finance", "healthcare", "off_topic", "unsafe", "other_language")
KEYWORDS = {
    "law": ("landlord", "lawsuit", "contract", "lawyer"),
    "finance": ("stock", "invest", "mortgage", "retirement"),
    "healthcare": ("doctor", "fever", "symptom", "medicine"),
    "unsafe": ("idiot", "hate you"),
}


class KeywordClassifier:
    """Keyword rules: a domain keyword routes with score 0.9 (``maybe <domain>`` gives 0.6), ``idiot`` is unsafe,
    mostly non-ASCII text is another language, ``explode`` raises, ``slowly`` takes 0.5 s, anything else is off
    topic."""

    name = "keywords"

    def classify(self, text: str) -> Decision:
        lowered = text.lower()
        if "explode" in lowered:
            raise RuntimeError("the classifier broke on purpose")
        if "slowly" in lowered:
            time.sleep(0.5)  # like an LLM backend
        if not text.strip():
            return Decision(route=None, confidence=1.0, reason="empty")
        scores = dict.fromkeys(OUTPUTS, 0.05)
        winner = "off_topic"
        if sum(not c.isascii() for c in text) * 2 > len(text):
            winner = "other_language"
        for output, words in KEYWORDS.items():
            if any(w in lowered for w in words):
                winner = output
        scores[winner] = 0.6 if f"maybe {winner}" in lowered else 0.9
        if winner in ("law", "finance", "healthcare"):
            return Decision(route=winner, confidence=scores[winner], scores=scores)  # type: ignore[arg-type]
        return Decision(route=None, confidence=scores[winner], scores=scores, reason=winner)  # type: ignore[arg-type]

    def classify_batch(self, texts: Sequence[str]) -> list[Decision]:
        return [self.classify(t) for t in texts]


class FakeUpstream:
    """An OpenAI-compatible chat endpoint on loopback that records what it receives.

    ``mode``: ``ok`` (JSON completion), ``stream`` (three SSE chunks; with ``gate`` set it waits for the gate
    before the last two), ``hang`` (answers nothing until released), ``stream_hang`` (one chunk, then hangs),
    ``status`` (answers ``status`` with a body echoing the request's Authorization header).
    """

    def __init__(self, domain: str) -> None:
        self.domain = domain
        self.mode = "ok"
        self.status = 500
        self.gate: threading.Event | None = None
        self.release = threading.Event()
        self.received: list[dict[str, Any]] = []
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length))
                upstream.received.append(
                    {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                )
                upstream.answer(self, body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def content(self) -> str:
        return f"answer from the {self.domain} upstream"

    def chunks(self) -> list[bytes]:
        words = self.content().split(" ", 2)
        out = [
            f"data: {json.dumps({'object': 'chat.completion.chunk', 'choices': [{'delta': {'content': w}}]})}\n\n"
            for w in words
        ]
        return [c.encode() for c in out] + [b"data: [DONE]\n\n"]

    def answer(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        if self.mode == "hang":
            self.release.wait(10)
            return
        if self.mode == "status":
            echo = json.dumps({"error": {"message": f"rejected {handler.headers.get('authorization')}"}}).encode()
            self._send(handler, self.status, "application/json", echo)
            return
        if self.mode in ("stream", "stream_hang"):
            handler.send_response(200)
            handler.send_header("content-type", "text/event-stream")
            handler.end_headers()
            first, *rest = self.chunks()
            handler.wfile.write(first)
            handler.wfile.flush()
            if self.mode == "stream_hang":
                self.release.wait(10)
                return
            if self.gate is not None:
                self.gate.wait(10)
            for chunk in rest:
                handler.wfile.write(chunk)
                handler.wfile.flush()
            return
        completion = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "model": body.get("model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": self.content()}}],
        }
        self._send(handler, 200, "application/json", json.dumps(completion).encode())

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, content_type: str, data: bytes) -> None:
        handler.send_response(status)
        handler.send_header("content-type", content_type)
        handler.send_header("content-length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def reset(self) -> None:
        self.mode, self.status, self.gate = "ok", 500, None
        self.received.clear()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gqr_serve(config: Path, *options: str) -> Iterator[str]:
    """Run ``gqr serve --config config *options`` on a free loopback port until the block ends; yield its URL."""
    port = closed_port()
    args = [sys.executable, "-m", "gqr", "serve", "--config", str(config), "--port", str(port), *options]
    proc = subprocess.Popen([*args, "--log-level", "warning"], stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"gqr serve exited with {proc.returncode}: {proc.stderr.read()}")  # type: ignore[union-attr]
            try:
                httpx.get(f"{url}/healthz", trust_env=False)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "gqr serve did not start within 60 s"
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@contextlib.contextmanager
def running(app: Any) -> Iterator[str]:
    """Run an ASGI app under uvicorn in a thread on a free loopback port; yield its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


DOMAINS_TEXT = {
    "law": "Can my landlord keep my deposit?",
    "finance": "Should I invest in index funds?",
    "healthcare": "My child has a fever, should I call a doctor?",
}
"""One query per domain that :class:`KeywordClassifier` routes there."""
