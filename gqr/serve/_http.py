"""HTTP plumbing shared by the endpoints: OpenAI-style JSON errors and a size-capped JSON body reader."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

__all__ = ["ApiError", "error_response", "read_json"]


def error_response(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """``{"error": {"message", "type", "code"}}``, the shape OpenAI clients know."""
    return JSONResponse({"error": {"message": message, "type": kind, "code": status}}, status, headers=headers)


class ApiError(Exception):
    """A request the service answers with an error status (bad input, limits)."""

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message

    def response(self) -> JSONResponse:
        return error_response(self.status, self.kind, self.message)


async def read_json(request: Request, max_bytes: int) -> Any:
    """The request body parsed as JSON; 413 past ``max_bytes`` (checked before reading when the size is declared)."""
    too_big = ApiError(413, "request_too_large", f"request body: expected at most {max_bytes} bytes, got more")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise ApiError(413, "request_too_large", f"request body: expected at most {max_bytes} bytes, got {declared}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise too_big
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, "invalid_json", f"request body: expected JSON, got invalid JSON ({exc})") from None
