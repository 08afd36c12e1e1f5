"""LLM backends against servers that misbehave: down, slow, garbage. Each is a real loopback HTTP server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from llm_server import free_port

from gqr import InvalidInputError
from gqr.guards import ChatClient, LlamaGuard, NemoGuard, PromptRouter, load_backend

pytestmark = pytest.mark.llm

# A handler gets the parsed request body and returns (status, body bytes, delay in seconds).
Behaviour = Callable[[dict], tuple[int, bytes, float]]


def chat(content: object) -> bytes:
    return json.dumps({"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}).encode()


class Recorder:
    """What the loopback server saw: request bodies, headers, and the most requests in flight at once."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.headers: list[dict] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()


@contextmanager
def loopback(behaviour: Behaviour) -> Iterator[tuple[str, Recorder]]:
    """Serve ``behaviour`` at ``http://127.0.0.1:<port>/v1`` in a thread; yield the base URL and a recorder."""
    rec = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with rec.lock:
                rec.bodies.append(body)
                rec.headers.append(dict(self.headers))
                rec.in_flight += 1
                rec.max_in_flight = max(rec.max_in_flight, rec.in_flight)
            status, payload, delay = behaviour(body)
            time.sleep(delay)
            with rec.lock:
                rec.in_flight -= 1
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", rec
    finally:
        server.shutdown()
        server.server_close()


def test_down_server_is_an_error_rejection_after_retries() -> None:
    base_url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    client = ChatClient(base_url, "m", retries=2, backoff=0.05)
    start = time.perf_counter()
    [d] = PromptRouter(client).classify_batch(["Can my landlord keep my deposit?"])
    elapsed = time.perf_counter() - start
    assert (d.route, d.reason, d.confidence) == (None, "error", 0.0)
    assert "cannot reach" in d.raw["error"] and base_url in d.raw["error"]
    assert d.raw["attempts"] == 3
    assert elapsed >= 0.05 + 0.1  # exponential backoff between the three attempts
    assert d.raw["latency_ms"] >= 150


def test_slow_server_times_out() -> None:
    with loopback(lambda body: (200, chat("Law"), 2.0)) as (url, rec):
        client = ChatClient(url, "m", timeout=0.3, retries=1, backoff=0.0)
        start = time.perf_counter()
        d = PromptRouter(client).classify("Can my landlord keep my deposit?")
        elapsed = time.perf_counter() - start
    assert (d.reason, d.raw["attempts"], len(rec.bodies)) == ("error", 2, 2)
    assert "timeout after 0.3 s" in d.raw["error"]
    assert elapsed < 1.5  # gave up well before the server answered


@pytest.mark.parametrize(
    ("status", "payload", "expected"),
    [
        (200, b"<html>not json</html>", "expected a JSON body"),
        (200, json.dumps({"result": "Law"}).encode(), "expected choices[0].message.content"),
        (200, json.dumps({"choices": []}).encode(), "expected choices[0].message.content"),
        (200, chat(["Law"]), "expected a string"),
        (404, b'{"error": "no such model"}', "expected HTTP 200"),
    ],
)
def test_garbage_responses_are_error_rejections_without_retry(status: int, payload: bytes, expected: str) -> None:
    with loopback(lambda body: (status, payload, 0.0)) as (url, rec):
        d = PromptRouter(ChatClient(url, "m", retries=3, backoff=0.0)).classify("What is a stock?")
    assert d.reason == "error" and expected in d.raw["error"]
    assert len(rec.bodies) == 1  # a malformed answer or a client error is not retried


def test_server_errors_are_retried_until_one_succeeds() -> None:
    answers = iter([(503, b"busy", 0.0), (500, b"oops", 0.0), (200, chat("Finance."), 0.0)])
    with loopback(lambda body: next(answers)) as (url, rec):
        d = PromptRouter(ChatClient(url, "m", retries=2, backoff=0.01)).classify("What is a stock?")
    assert (d.route, d.raw["attempts"], len(rec.bodies)) == ("finance", 3, 3)


def test_unparseable_text_is_low_confidence_with_raw_text_kept() -> None:
    with loopback(lambda body: (200, chat("I would rather not say."), 0.0)) as (url, _):
        d = PromptRouter(ChatClient(url, "m")).classify("What is a stock?")
    assert (d.route, d.reason, d.confidence) == (None, "low_confidence", 0.0)
    assert d.raw["text"] == "I would rather not say."


def test_request_body_and_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GQR_TEST_KEY", "sk-test-123")
    with loopback(lambda body: (200, chat("Health"), 0.0)) as (url, rec):
        client = ChatClient(url, "my-model", api_key_env="GQR_TEST_KEY", max_tokens=5, extra_body={"seed": 7})
        d = PromptRouter(client).classify("I have a fever")
    body = rec.bodies[0]
    assert d.route == "healthcare"
    assert (body["model"], body["temperature"], body["max_tokens"], body["seed"]) == ("my-model", 0.0, 5, 7)
    assert body["messages"][0]["role"] == "system" and "I have a fever" in body["messages"][-1]["content"]
    assert rec.headers[0]["Authorization"] == "Bearer sk-test-123"


def test_missing_api_key_and_bad_options_are_clear_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GQR_TEST_MISSING_KEY", raising=False)
    with pytest.raises(InvalidInputError, match="GQR_TEST_MISSING_KEY"):
        ChatClient("http://127.0.0.1:1/v1", "m", api_key_env="GQR_TEST_MISSING_KEY")
    with pytest.raises(InvalidInputError, match="http://"):
        ChatClient("127.0.0.1:8080", "m")
    with pytest.raises(InvalidInputError, match="timeout > 0"):
        ChatClient("http://127.0.0.1:1/v1", "m", timeout=0)
    with pytest.raises(InvalidInputError, match="unknown option"):
        load_backend("prompt-router", base_url="http://127.0.0.1:1/v1", model="m", temprature=0.5)
    with pytest.raises(InvalidInputError, match="base_url"):
        load_backend("llama-guard", model="m")
    with pytest.raises(InvalidInputError, match="backend name"):
        load_backend("gpt-router")


def test_batch_keeps_order_and_respects_the_concurrency_limit() -> None:
    def echo(body: dict) -> tuple[int, bytes, float]:
        query = body["messages"][-1]["content"]
        return 200, chat("Law" if "law" in query else "Other"), 0.15

    texts = [f"query {i} about {'law' if i % 2 else 'cats'}" for i in range(8)]
    with loopback(echo) as (url, rec):
        decisions = PromptRouter(ChatClient(url, "m", max_concurrency=3)).classify_batch(texts)
    assert [d.label for d in decisions] == ["law" if i % 2 else "ood" for i in range(8)]
    assert rec.max_in_flight == 3


def test_bad_input_is_an_error_or_a_rejection_without_a_call() -> None:
    with loopback(lambda body: (200, chat("Law"), 0.0)) as (url, rec):
        router = PromptRouter(ChatClient(url, "m"), max_chars=50)
        empty, long_ = router.classify_batch(["   ", "x" * 51])
        with pytest.raises(TypeError, match=r"texts\[1\] must be str, got int"):
            router.classify_batch(["ok", 3])  # type: ignore[list-item]
        with pytest.raises(TypeError, match="single str"):
            router.classify_batch("a text")
    assert (empty.reason, long_.reason, long_.raw["chars"]) == ("empty", "too_long", 51)
    assert rec.bodies == []


def test_llama_guard_failure_and_garbage_never_reach_the_router() -> None:
    calls: list[list[str]] = []

    class Spy:  # a real Classifier that records what it was asked
        name = "spy"

        def classify(self, text):
            return self.classify_batch([text])[0]

        def classify_batch(self, texts):
            calls.append(list(texts))
            return []

    with loopback(lambda body: (200, b"garbage", 0.0)) as (url, _):
        guard = LlamaGuard(ChatClient(url, "m"), router=Spy())
        assert guard.classify("What is a stock?").reason == "error"
    with loopback(lambda body: (200, chat("I cannot tell."), 0.0)) as (url, _):
        d = LlamaGuard(ChatClient(url, "m"), router=Spy()).classify("What is a stock?")
        assert (d.reason, d.raw["verdict"]) == ("low_confidence", None)
    assert calls == []


def test_nemo_down_slow_and_garbage_are_error_rejections() -> None:
    down = NemoGuard(ChatClient(f"http://127.0.0.1:{free_port()}/v1", "m", retries=0), router="unused")
    try:
        d = down.classify("Can my landlord keep my deposit?")
    finally:
        down.close()
    assert (d.route, d.reason) == (None, "error") and d.raw["error"]
    for behaviour in (lambda body: (200, chat("No"), 3.0), lambda body: (200, b"not json", 0.0)):
        with loopback(behaviour) as (url, _):
            guard = NemoGuard(ChatClient(url, "m", timeout=0.5, retries=0), router="unused")
            try:
                d = guard.classify("What is a stock?")
            finally:
                guard.close()
        assert d.reason == "error" and d.raw["error"]
