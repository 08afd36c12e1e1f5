"""The serve configuration: an endpoint per route, answers per rejection reason, limits, read from one TOML file.

The file's shape is declared as pydantic models and checked when the file is read; :func:`explain` turns a
:class:`pydantic.ValidationError` into one line per problem that names the key, what was expected and what was got.
Upstreams are given per route, either in ``[upstreams.<route>]`` or, in a route file that also trains the model, in
``[routes.<route>.upstream]`` (the ``examples`` and ``description`` of a route are for training and ignored here);
``[default_upstream]`` answers every route without its own.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from gqr._decision import DOMAINS, Reason
from gqr._errors import InvalidInputError
from gqr.serve._conversation import Check

__all__ = [
    "DEFAULT_MESSAGES",
    "Config",
    "Limits",
    "Rejection",
    "Upstream",
    "default_messages",
    "explain",
    "read_config",
]

DEFAULT_MESSAGES: dict[str, str] = {
    "off_topic": "I can only help with legal, financial or health questions.",
    "unsafe": "I can't help with that request.",
    "other_language": "Please ask your question in English.",
    "low_confidence": "I'm not sure this is a legal, financial or health question; could you rephrase it?",
    "empty": "Please ask a question.",
    "too_long": "Your message is too long; please shorten it.",
    "error": "Your message could not be handled right now; please try again later.",
}
"""The answers of the built-in law / finance / healthcare router; :func:`default_messages` words them for others."""


def default_messages(routes: tuple[str, ...]) -> dict[str, str]:
    """The built-in answer per rejection reason for a router with these ``routes`` (named in the off-topic ones)."""
    if routes == DOMAINS:
        return dict(DEFAULT_MESSAGES)
    names = [r.replace("_", " ") for r in routes]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    return DEFAULT_MESSAGES | {
        "off_topic": f"I can only help with questions about {listed}.",
        "low_confidence": f"I'm not sure this is about {listed}; could you rephrase it?",
    }


class _Table(BaseModel):
    """A TOML table: strict types (no "5" for 5, no true for 1), unknown keys named with the known ones."""

    model_config = ConfigDict(strict=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in data:
                if key not in cls.model_fields:
                    known = ", ".join(cls.model_fields)
                    raise PydanticCustomError(
                        "unknown_key", "unknown key '{key}', expected one of {known}", {"key": key, "known": known}
                    )
        return data


NonEmpty = Annotated[str, Field(min_length=1, pattern=r"\S")]


class Upstream(_Table):
    """An OpenAI-compatible endpoint that answers one route's queries.

    ``base_url`` is the API root (``https://host/v1``); requests go to ``base_url + "/chat/completions"`` with
    ``model`` replaced by this one. The API key is read from the environment variable ``api_key_env`` at call time
    and never stored.
    """

    base_url: str
    model: NonEmpty
    api_key_env: NonEmpty | None = None
    timeout: Annotated[float, Field(gt=0.0, lt=1e6)] = 30.0

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        url = urlsplit(value)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError("an http(s) URL")
        if url.username or url.password:
            raise ValueError("a URL without credentials (put the key in api_key_env)")
        return value

    @property
    def chat_url(self) -> str:
        """The chat completions URL of this endpoint."""
        return self.base_url.rstrip("/") + "/chat/completions"

    def api_key(self) -> str | None:
        """The key from the environment variable ``api_key_env`` (``None`` when no variable is configured)."""
        if self.api_key_env is None:
            return None
        key = os.environ.get(self.api_key_env)
        if not key:
            raise InvalidInputError(
                f"api_key_env: expected environment variable {self.api_key_env} to hold the key, got it unset or empty"
            )
        return key

    def headers(self) -> dict[str, str]:
        """Request headers: ``Authorization: Bearer <key>`` when ``api_key_env`` is set."""
        key = self.api_key()
        return {"authorization": f"Bearer {key}"} if key else {}


@dataclass(frozen=True, slots=True)
class Rejection:
    """What a rejected query is answered with instead of reaching an upstream."""

    reason: str
    message: str


PositiveInt = Annotated[int, Field(ge=1)]


class Limits(_Table):
    """Caps on what the service accepts: request body bytes, characters per text (each checked message of a chat),
    texts per classify call, messages per chat request."""

    max_body_bytes: PositiveInt = 1_048_576
    max_text_chars: PositiveInt = 8_000
    max_batch: PositiveInt = 256
    max_messages: PositiveInt = 256


class _Router(_Table):
    model: NonEmpty | None = None
    thresholds: dict[str, Annotated[float, Field(ge=0.0, le=1.0)]] | None = None
    check: Check = "user"


class _Route(_Table):
    examples: Any = None  # for training; checked by the route-file reader, not here
    description: Any = None
    upstream: Upstream | None = None


class _File(_Table):
    router: _Router = _Router()
    upstreams: dict[str, Upstream] = {}
    default_upstream: Upstream | None = None
    routes: dict[str, _Route] = {}
    rejections: dict[Reason, NonEmpty] = {}
    limits: Limits = Limits()

    @model_validator(mode="after")
    def _one_upstream_per_route(self) -> _File:
        twice = [r for r, spec in self.routes.items() if spec.upstream is not None and r in self.upstreams]
        if twice:
            raise ValueError(f"one upstream per route, got {twice[0]!r} in [upstreams] and in [routes] both")
        return self


@dataclass(frozen=True, slots=True)
class Config:
    """The parsed file: the router model (name or path, ``None`` for the default), thresholds, upstreams per route
    and the default one, answers per reason, limits, and which messages of a conversation are checked."""

    model: str | None
    thresholds: dict[str, float] | None
    upstreams: dict[str, Upstream]
    messages: dict[str, str] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    check: str = "user"
    default_upstream: Upstream | None = None


_EXPECTED: dict[str, str] = {
    "model_type": "a table",
    "dict_type": "a table",
    "string_type": "a string",
    "float_type": "a number",
    "int_type": "an integer",
    "bool_type": "true or false",
    "list_type": "a list",
    "string_too_short": "a non-empty string",
    "string_pattern_mismatch": "a non-empty string",
}
_BOUNDS = {
    "greater_than": "> {gt}",
    "greater_than_equal": ">= {ge}",
    "less_than": "< {lt}",
    "less_than_equal": "<= {le}",
}


def _where(loc: tuple[int | str, ...], toml: bool) -> str:
    if not toml:  # a JSON request: texts[1]
        return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".") or "body"
    keys = [str(p) for p in loc if p != "[key]"]
    if len(keys) <= 1:
        return keys[0] if keys else "top level"
    return f"[{'.'.join(keys[:-1])}] {keys[-1]}"


def _got(value: Any, toml: bool) -> str:
    if toml:
        text = repr(value)
        return f"{text[:80]}{'...' if len(text) > 80 else ''} ({type(value).__name__})"
    return json.dumps(value)[:80]


def explain(exc: ValidationError, *, toml: bool = True) -> str:
    """What is wrong, one ``[table] key: expected ..., got <value> (<type>)`` per problem, joined by ``; ``
    (``toml=False``: JSON paths and values, for request bodies)."""
    lines = []
    for error in exc.errors(include_url=False):
        kind, loc, ctx = error["type"], error["loc"], error.get("ctx", {})
        if kind == "unknown_key":
            table = ".".join(str(p) for p in loc)
            lines.append(f"{f'[{table}]' if table else 'top level'}: {error['msg']}")
            continue
        if kind == "missing":
            lines.append(f"{_where(loc, toml)}: required, got nothing")
            continue
        if kind == "value_error":
            expected = str(ctx.get("error", error["msg"]))
        elif kind in _BOUNDS:
            bound = next(iter(ctx.values()))
            expected = ("an integer " if isinstance(bound, int) else "a number ") + _BOUNDS[kind].format(**ctx)
        elif kind == "literal_error":
            expected = f"one of {ctx['expected']}"
        elif kind in ("model_type", "dict_type") and not toml:
            expected = "an object"
        else:
            expected = _EXPECTED.get(kind, error["msg"])
        if ", got " in expected:  # the check named what it got
            lines.append(f"{_where(loc, toml)}: expected {expected}")
        else:
            lines.append(f"{_where(loc, toml)}: expected {expected}, got {_got(error['input'], toml)}")
    return "; ".join(lines)


def _model(model: str | None, base: Path) -> str | None:
    """A model path in the file is relative to the file; a model name stays as it is."""
    if model is None:
        return None
    local = base / model
    looks_like_path = "/" in model or model.endswith((".json", ".onnx"))
    return str(local) if looks_like_path and local.exists() else model


def read_config(path: str | os.PathLike[str]) -> Config:
    """Read and check a routes TOML file; :class:`InvalidInputError` names the file, key, expected and got."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path}: cannot read config file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError(f"{path}: not valid TOML ({exc})") from None
    try:
        parsed = _File.model_validate(data)
    except ValidationError as exc:
        raise InvalidInputError(f"{path}: {explain(exc)}") from None
    upstreams = dict(parsed.upstreams) | {r: s.upstream for r, s in parsed.routes.items() if s.upstream is not None}
    where = {r: f"[upstreams.{r}]" for r in parsed.upstreams} | {r: f"[routes.{r}.upstream]" for r in parsed.routes}
    named = [(where[r], u) for r, u in upstreams.items()]
    if parsed.default_upstream is not None:
        named.append(("[default_upstream]", parsed.default_upstream))
    for table, upstream in named:
        if upstream.api_key_env is not None and not os.environ.get(upstream.api_key_env):
            raise InvalidInputError(
                f"{path}: {table} api_key_env: expected environment variable {upstream.api_key_env} to hold the"
                " key, got it unset or empty"
            )
    return Config(
        model=_model(parsed.router.model, path.parent),
        thresholds=parsed.router.thresholds,
        upstreams=upstreams,
        messages={str(reason): message for reason, message in parsed.rejections.items()},
        limits=parsed.limits,
        check=parsed.router.check,
        default_upstream=parsed.default_upstream,
    )
