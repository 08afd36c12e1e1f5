"""The serve configuration: endpoints per domain, answers per rejection reason, limits, read from one TOML file.

Every value is checked when the file is read; an error names the file, the key, what was expected and what was got.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from gqr._decision import DOMAINS, REASONS
from gqr._errors import InvalidInputError

__all__ = ["DEFAULT_MESSAGES", "Config", "Limits", "Rejection", "Upstream", "read_config"]

DEFAULT_MESSAGES: dict[str, str] = {
    "off_topic": "I can only help with legal, financial or health questions.",
    "unsafe": "I can't help with that request.",
    "other_language": "Please ask your question in English.",
    "low_confidence": "I'm not sure this is a legal, financial or health question; could you rephrase it?",
    "empty": "Please ask a question.",
    "too_long": "Your message is too long; please shorten it.",
    "error": "Your message could not be handled right now; please try again later.",
}


def _type(value: Any) -> str:
    return "nothing" if value is None else f"{value!r} ({type(value).__name__})"


@dataclass(frozen=True, slots=True)
class Upstream:
    """An OpenAI-compatible endpoint that answers one domain's queries.

    ``base_url`` is the API root (``https://host/v1``); requests go to ``base_url + "/chat/completions"`` with
    ``model`` replaced by this one. The API key is read from the environment variable ``api_key_env`` at call time
    and never stored.
    """

    domain: str
    base_url: str
    model: str
    api_key_env: str | None = None
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.domain not in DOMAINS:
            raise InvalidInputError(f"domain: expected one of {DOMAINS}, got {_type(self.domain)}")
        url = urlsplit(self.base_url) if isinstance(self.base_url, str) else None
        if url is None or url.scheme not in ("http", "https") or not url.hostname:
            raise InvalidInputError(f"base_url: expected an http(s) URL, got {_type(self.base_url)}")
        if url.username or url.password:
            raise InvalidInputError("base_url: expected a URL without credentials; put the key in api_key_env")
        if not isinstance(self.model, str) or not self.model:
            raise InvalidInputError(f"model: expected a non-empty string, got {_type(self.model)}")
        if self.api_key_env is not None and (not isinstance(self.api_key_env, str) or not self.api_key_env):
            raise InvalidInputError(
                f"api_key_env: expected the name of an environment variable, got {_type(self.api_key_env)}"
            )
        if isinstance(self.timeout, bool) or not isinstance(self.timeout, int | float) or not 0 < self.timeout < 1e6:
            raise InvalidInputError(f"timeout: expected seconds > 0, got {_type(self.timeout)}")

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
                f"upstream {self.domain!r}: environment variable {self.api_key_env} (api_key_env) is not set"
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


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps on what the service accepts: request body bytes, characters per text (each checked message of a chat),
    texts per classify call, messages per chat request."""

    max_body_bytes: int = 1_048_576
    max_text_chars: int = 8_000
    max_batch: int = 256
    max_messages: int = 256

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_text_chars", "max_batch", "max_messages"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidInputError(f"{name}: expected an integer >= 1, got {_type(value)}")


@dataclass(frozen=True, slots=True)
class Config:
    """The parsed file: the router model (name or path, ``None`` for the default), thresholds, which messages of a
    conversation are checked, and the rest."""

    model: str | None
    thresholds: dict[str, float] | None
    upstreams: dict[str, Upstream]
    messages: dict[str, str] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    check: str = "user"


_TOP = ("router", "upstreams", "rejections", "limits")
_ROUTER = ("model", "thresholds", "check")
_UPSTREAM = ("base_url", "model", "api_key_env", "timeout")


def _table(data: dict[str, Any], key: str, where: str, *, required: bool = False) -> dict[str, Any]:
    value = data.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise InvalidInputError(f"{where}{key}: expected a table, got {_type(value)}")
    return value


def _known(table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise InvalidInputError(f"{where}: unknown key {key!r}, expected one of {allowed}")


def _model(router: dict[str, Any], base: Path) -> str | None:
    model = router.get("model")
    if model is None:
        return None
    if not isinstance(model, str) or not model:
        raise InvalidInputError(f"[router] model: expected a model name or path, got {_type(model)}")
    local = base / model
    return str(local) if ("/" in model or model.endswith((".json", ".onnx"))) and local.exists() else model


def _thresholds(router: dict[str, Any]) -> dict[str, float] | None:
    if "thresholds" not in router:
        return None
    table = _table(router, "thresholds", "[router] ")
    _known(table, DOMAINS, "[router] thresholds")
    for domain in DOMAINS:
        value = table.get(domain)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise InvalidInputError(f"[router] thresholds.{domain}: expected a number in [0, 1], got {_type(value)}")
    return {d: float(v) for d, v in table.items()}


def _check(router: dict[str, Any]) -> str:
    from gqr.serve._conversation import CHECKS

    check = router.get("check", "user")
    if check not in CHECKS:
        raise InvalidInputError(f"[router] check: expected one of {', '.join(map(repr, CHECKS))}, got {_type(check)}")
    return check


def _upstreams(data: dict[str, Any]) -> dict[str, Upstream]:
    table = _table(data, "upstreams", "", required=True)
    _known(table, DOMAINS, "[upstreams]")
    out = {}
    for domain in DOMAINS:
        where = f"[upstreams.{domain}]"
        entry = _table(table, domain, "[upstreams] ", required=True)
        _known(entry, _UPSTREAM, where)
        for key in ("base_url", "model"):
            if key not in entry:
                raise InvalidInputError(f"{where} {key}: required, got nothing")
        try:
            upstream = Upstream(domain=domain, **entry)
        except InvalidInputError as exc:
            raise InvalidInputError(f"{where} {exc}") from None
        if upstream.api_key_env is not None and not os.environ.get(upstream.api_key_env):
            raise InvalidInputError(
                f"{where} api_key_env: environment variable {upstream.api_key_env} is not set (or empty)"
            )
        out[domain] = upstream
    return out


def _messages(data: dict[str, Any]) -> dict[str, str]:
    table = _table(data, "rejections", "")
    _known(table, REASONS, "[rejections]")
    for reason, message in table.items():
        if not isinstance(message, str) or not message.strip():
            raise InvalidInputError(f"[rejections] {reason}: expected a non-empty string, got {_type(message)}")
    return dict(table)


def _limits(data: dict[str, Any]) -> Limits:
    table = _table(data, "limits", "")
    _known(table, tuple(f.name for f in fields(Limits)), "[limits]")
    try:
        return Limits(**table)
    except InvalidInputError as exc:
        raise InvalidInputError(f"[limits] {exc}") from None


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
        _known(data, _TOP, "top level")
        router = _table(data, "router", "")
        _known(router, _ROUTER, "[router]")
        return Config(
            model=_model(router, path.parent),
            thresholds=_thresholds(router),
            upstreams=_upstreams(data),
            messages=_messages(data),
            limits=_limits(data),
            check=_check(router),
        )
    except InvalidInputError as exc:
        raise InvalidInputError(f"{path}: {exc}") from None
