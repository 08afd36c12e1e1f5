"""Forwarding a chat completion to an upstream and relaying its answer (whole or streamed as server-sent events).

Failures become clear JSON errors: a timeout is 504, an unreachable upstream, a 5xx or refused credentials are 502.
Client errors of the upstream (other 4xx) are relayed as they are. The API key only ever goes into the upstream
request's headers: it is not logged and not echoed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from starlette.responses import Response, StreamingResponse

from gqr.serve._config import Upstream
from gqr.serve._http import error_response

__all__ = ["forward"]

logger = logging.getLogger("gqr.serve")

OnError = Callable[[str, str], None]  # (route, kind) -> None
AUTH_STATUSES = (401, 403, 407)  # the upstream refused our credentials: the gateway's fault, not the client's


def _fail(
    route: str, upstream: Upstream, exc_or_status: Exception | int, on_error: OnError, headers: dict[str, str]
) -> Response:
    if isinstance(exc_or_status, httpx.TimeoutException):
        kind, status, message = "timeout", 504, f"upstream for {route!r} did not answer within {upstream.timeout:g} s"
    elif isinstance(exc_or_status, Exception):
        kind, status, message = "unavailable", 502, f"upstream for {route!r} could not be reached"
    elif exc_or_status in AUTH_STATUSES:
        kind, status = "auth", 502
        message = f"upstream for {route!r} refused the gateway's credentials (HTTP {exc_or_status})"
    else:
        kind, status, message = "bad_status", 502, f"upstream for {route!r} answered HTTP {exc_or_status}"
    exc = exc_or_status
    detail = f"{type(exc).__name__}: {exc}" if isinstance(exc, Exception) else f"HTTP {exc}"
    logger.warning("upstream %s at %s failed: %s (%s)", route, upstream.chat_url, kind, detail)
    on_error(route, kind)
    return error_response(status, f"upstream_{kind}", message, headers)


def _relayable(status: int) -> bool:
    return 200 <= status < 300 or (400 <= status < 500 and status not in AUTH_STATUSES)


def _sse_error(message: str, kind: str) -> bytes:
    error = {"message": message, "type": f"upstream_stream_{kind}", "code": 502 if kind == "unavailable" else 504}
    return f"data: {json.dumps({'error': error})}\n\n".encode()


async def _relay(response: httpx.Response, route: str, on_error: OnError) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.aiter_bytes():
            yield chunk
    except httpx.HTTPError as exc:
        kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "unavailable"
        logger.warning("upstream %s stream broke off: %s (%s)", route, kind, type(exc).__name__)
        on_error(route, f"stream_{kind}")
        if response.headers.get("content-type", "").startswith("text/event-stream"):
            yield _sse_error(f"upstream for {route!r} broke off the stream ({kind})", kind)
    finally:
        await response.aclose()


async def forward(
    client: httpx.AsyncClient,
    route: str,
    upstream: Upstream,
    payload: dict[str, Any],
    headers: dict[str, str],
    on_error: OnError,
) -> Response:
    """Send ``payload`` (model replaced) to ``route``'s ``upstream``; relay the answer with ``headers`` added."""
    body = {**payload, "model": upstream.model}
    key = upstream.api_key()
    request = client.build_request(
        "POST", upstream.chat_url, json=body, headers=upstream.headers(), timeout=upstream.timeout
    )
    try:
        response = await client.send(request, stream=True)
    except httpx.HTTPError as exc:
        return _fail(route, upstream, exc, on_error, headers)
    status = response.status_code
    out_headers = {**headers, "content-type": response.headers.get("content-type", "application/json")}
    if body.get("stream") and 200 <= status < 300:
        return StreamingResponse(_relay(response, route, on_error), status, headers=out_headers)
    try:
        content = await response.aread()
    except httpx.HTTPError as exc:
        return _fail(route, upstream, exc, on_error, headers)
    finally:
        await response.aclose()
    if not _relayable(status):
        return _fail(route, upstream, status, on_error, headers)
    if key and key.encode() in content:  # an upstream echoing the request's credentials
        content = content.replace(key.encode(), b"[redacted]")
    return Response(content, status, headers=out_headers)
