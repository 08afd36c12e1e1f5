"""The ASGI application: classification, OpenAI-compatible chat completions routed per route, health, metrics."""

from __future__ import annotations

import contextlib
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gqr._decision import Decision
from gqr._errors import InvalidInputError
from gqr.serve._config import Rejection
from gqr.serve._conversation import Verdict, checked_turns, verdict
from gqr.serve._http import ApiError, error_response, parse, read_body
from gqr.serve._metrics import CONTENT_TYPE, Metrics
from gqr.serve._routes import Routes
from gqr.serve._upstream import forward

__all__ = ["create_app"]

logger = logging.getLogger("gqr.serve")

ENDPOINTS = ("/", "/v1/classify", "/v1/chat/completions", "/v1/models", "/healthz", "/metrics", "/stats")


class _Timing:
    """ASGI middleware: counts every response by endpoint and status and observes its full duration."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        path = scope["path"]
        endpoint = path if path in ENDPOINTS else "/v1/models" if path.startswith("/v1/models/") else "other"
        status = 500

        async def timed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            self.metrics.observe_request(endpoint, status, time.perf_counter() - start)


def _route_headers(decision: Decision) -> dict[str, str]:
    headers = {"x-gqr-route": decision.route or "rejected", "x-gqr-confidence": f"{decision.confidence:.4f}"}
    if decision.reason is not None:
        headers["x-gqr-reason"] = decision.reason
    return headers


class _ClassifyRequest(BaseModel):
    model_config = ConfigDict(strict=True)

    text: str | None = None
    texts: list[str] | None = None

    @model_validator(mode="before")
    @classmethod
    def _text_or_texts(cls, data: Any) -> Any:
        if isinstance(data, dict) and ("text" in data) == ("texts" in data):
            keys = sorted(data)
            raise PydanticCustomError(
                "text_or_texts", 'expected {"text": str} or {"texts": [str]}, got {keys}', {"keys": keys}
            )
        return data


class _ChatRequest(BaseModel):
    """The fields of a chat completion request that gqr reads (the messages are checked by the conversation rule);
    the request goes to the upstream as it came, but for ``model``."""

    model_config = ConfigDict(strict=True)

    stream: bool = False


def _rejection_headers(verdict: Verdict) -> dict[str, str]:
    headers = _route_headers(verdict.decision)
    headers["x-gqr-message-index"], headers["x-gqr-message-role"] = str(verdict.index), verdict.role
    return headers


def _gqr_field(verdict: Verdict) -> dict[str, Any]:
    """What gqr decided, carried in the body of a rejection: the reason and the message that caused it."""
    d = verdict.decision
    return {
        "route": None,
        "reason": d.reason,
        "confidence": d.confidence,
        "message_index": verdict.index,
        "message_role": verdict.role,
    }


def _completion(rejection: Rejection, stream: bool, verdict: Verdict) -> Response:
    """A rejection answered as an ordinary chat completion (or its event stream), so clients keep working; its
    ``gqr`` field (and the ``x-gqr-*`` headers) name the reason and the message that caused it."""
    ident, created = f"chatcmpl-gqr-{uuid.uuid4().hex}", int(time.time())
    headers, gqr = _rejection_headers(verdict), _gqr_field(verdict)
    if not stream:
        return JSONResponse(
            {
                "id": ident,
                "object": "chat.completion",
                "created": created,
                "model": "gqr",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": rejection.message},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
                "gqr": gqr,
            },
            headers=headers,
        )

    def chunk(delta: dict[str, str], finish: str | None) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        body = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": "gqr", "choices": [choice]}
        return f"data: {json.dumps({**body, 'gqr': gqr})}\n\n"

    async def events() -> AsyncIterator[str]:
        yield chunk({"role": "assistant", "content": rejection.message}, None)
        yield chunk({}, "stop")
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


def _model_list(routes: Routes) -> list[dict[str, Any]]:
    """``GET /v1/models``: each upstream's model once, with the routes it answers (``routes``, and in ``owned_by``)."""
    served: dict[str, list[str]] = {}
    for route, upstream in routes.upstreams.items():
        served.setdefault(upstream.model, []).append(route)
    return [
        {"id": model, "object": "model", "created": 0, "owned_by": f"gqr:{'+'.join(names)}", "routes": names}
        for model, names in served.items()
    ]


# The playground loads nothing from elsewhere: its own inline script and style, requests to this service only.
_PAGE_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:;"
    " base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class _Service:
    def __init__(self, routes: Routes, metrics: Metrics, offload: bool) -> None:
        self.routes, self.metrics, self.offload = routes, metrics, offload
        self.client: httpx.AsyncClient | None = None
        self.model_list = _model_list(routes)
        self.page = (resources.files("gqr.serve") / "_playground.html").read_text(encoding="utf-8")

    async def _decide(self, texts: list[str], *, observe: bool = True) -> list[Decision]:
        try:
            if self.offload:
                decisions = await run_in_threadpool(self.routes.classify_batch, texts)
            else:
                decisions = self.routes.classify_batch(texts)
        except Exception:
            logger.exception("classifier %r failed; answering with reason 'error'", self.routes.name)
            decisions = [Decision(route=None, confidence=0.0, reason="error")] * len(texts)
        if observe:
            for decision in decisions:
                self.metrics.observe_decision(decision)
        return decisions

    async def classify(self, request: Request) -> Response:
        _, body = parse(await read_body(request, self.routes.limits.max_body_bytes), _ClassifyRequest)
        texts = [body.text] if body.text is not None else body.texts or []
        cap = self.routes.limits.max_batch
        if len(texts) > cap:
            raise ApiError(413, "too_many_texts", f"texts: expected at most {cap}, got {len(texts)}")
        decisions = [d.to_dict() for d in await self._decide(texts)]
        single = body.text is not None
        response = {"model": self.routes.name, **({"decision": decisions[0]} if single else {"decisions": decisions})}
        return JSONResponse(response)

    async def chat(self, request: Request) -> Response:
        payload, body = parse(await read_body(request, self.routes.limits.max_body_bytes), _ChatRequest)
        messages, cap = payload.get("messages"), self.routes.limits.max_messages
        if isinstance(messages, list) and len(messages) > cap:
            raise ApiError(413, "too_many_messages", f"messages: expected at most {cap}, got {len(messages)}")
        try:
            turns = checked_turns(messages, self.routes.check, cap)
        except InvalidInputError as exc:
            raise ApiError(422, "invalid_request", str(exc)) from None
        decisions = await self._decide([t.text for t in turns], observe=False)
        found = verdict(turns, decisions)
        self.metrics.observe_decision(found.decision)  # one decision per request, however many messages
        route, target = found.decision.route, self.routes.target(found.decision)
        if isinstance(target, Rejection):
            logger.info("chat rejected: %s in messages[%d] (%s)", found.decision.reason, found.index, found.role)
            return _completion(target, body.stream, found)
        logger.debug("chat routed to %s (%d messages checked)", route, len(turns))
        assert self.client is not None and route is not None, "the HTTP client is opened by the app's lifespan"
        headers = _route_headers(found.decision)
        return await forward(self.client, route, target, payload, headers, self.metrics.observe_upstream_error)

    async def models(self, request: Request) -> Response:
        return JSONResponse({"object": "list", "data": self.model_list})

    async def model(self, request: Request) -> Response:
        ident = request.path_params["model"]
        for entry in self.model_list:
            if entry["id"] == ident:
                return JSONResponse(entry)
        known = ", ".join(m["id"] for m in self.model_list)
        raise ApiError(404, "model_not_found", f"model {ident!r}: not served here; expected one of {known}")

    async def stats(self, request: Request) -> Response:
        return JSONResponse({"model": self.routes.name, **self.metrics.counts()})

    async def playground(self, request: Request) -> Response:
        return HTMLResponse(self.page, headers={"content-security-policy": _PAGE_POLICY})

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "model": self.routes.name})

    async def metrics_text(self, request: Request) -> Response:
        return Response(self.metrics.render(), media_type=CONTENT_TYPE)

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        # Upstreams are configured explicitly: no proxy from the environment; a failed connect is retried once.
        # Idle connections are dropped after 4 s, before servers with the common 5 s keep-alive close them under us.
        limits = httpx.Limits(max_connections=512, max_keepalive_connections=128, keepalive_expiry=4.0)
        transport = httpx.AsyncHTTPTransport(limits=limits, retries=1)
        async with httpx.AsyncClient(transport=transport, trust_env=False) as client:
            self.client = client
            yield
            self.client = None


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, "http_error", f"{request.method} {request.url.path}: {exc.detail}")


async def _crash(request: Request, exc: Exception) -> Response:
    # Starlette re-raises the exception after this answer, so the ASGI server logs its traceback.
    return error_response(500, "internal_error", f"internal error ({type(exc).__name__}); see the service log")


def create_app(routes: Routes, *, offload: bool = False) -> Starlette:
    """The ASGI app serving ``routes``: ``POST /v1/classify``, ``POST /v1/chat/completions``, ``GET /v1/models``,
    ``GET /healthz``, ``GET /metrics``, ``GET /stats`` (counts as JSON) and the playground page at ``GET /``. Run it
    with any ASGI server (``gqr serve`` uses uvicorn).

    The classifier runs on the event loop, which suits the ONNX router (microseconds); set ``offload=True`` to run
    it in a worker thread instead, for slow classifiers such as LLM backends.
    """
    if not isinstance(routes, Routes):
        raise InvalidInputError(f"routes: expected gqr.serve.Routes, got {type(routes).__name__}")
    metrics = Metrics(routes.routes)
    service = _Service(routes, metrics, offload)
    app = Starlette(
        routes=[
            Route("/v1/classify", service.classify, methods=["POST"]),
            Route("/v1/chat/completions", service.chat, methods=["POST"]),
            Route("/v1/models", service.models, methods=["GET"]),
            Route("/v1/models/{model:path}", service.model, methods=["GET"]),
            Route("/healthz", service.healthz, methods=["GET"]),
            Route("/metrics", service.metrics_text, methods=["GET"]),
            Route("/stats", service.stats, methods=["GET"]),
            Route("/", service.playground, methods=["GET"]),
        ],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error, Exception: _crash},
        lifespan=service.lifespan,
    )
    app.add_middleware(_Timing, metrics=metrics)
    return app
