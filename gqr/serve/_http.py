"""HTTP plumbing shared by the endpoints: OpenAI-style JSON errors, a size-capped body reader, body validation."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import from_json
from starlette.requests import Request
from starlette.responses import JSONResponse

from gqr.serve._config import explain

__all__ = ["ApiError", "error_response", "parse", "read_body"]

Model = TypeVar("Model", bound=BaseModel)


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


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The request body; 413 past ``max_bytes`` (checked before reading when the size is declared)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise ApiError(413, "request_too_large", f"request body: expected at most {max_bytes} bytes, got {declared}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise ApiError(413, "request_too_large", f"request body: expected at most {max_bytes} bytes, got more")
    return bytes(body)


def parse(body: bytes, model: type[Model]) -> tuple[Any, Model]:
    """The JSON ``body`` and its fields checked against ``model``: 400 for invalid JSON, 422 naming the field, what
    was expected and what was got."""
    try:
        payload = from_json(body)
    except ValueError as exc:
        raise ApiError(400, "invalid_json", f"request body: expected JSON, got invalid JSON ({exc})") from None
    try:
        return payload, model.model_validate(payload)
    except ValidationError as exc:
        raise ApiError(422, "invalid_request", explain(exc, toml=False)) from None
