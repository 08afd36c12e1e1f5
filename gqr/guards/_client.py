"""A small OpenAI-compatible chat client (``POST {base_url}/chat/completions``) on httpx.

It covers OpenAI, Ollama (``http://localhost:11434/v1``), vLLM and llama.cpp servers. A call never raises for a
server problem: it returns a :class:`Reply` whose ``error`` says what went wrong, so the backends can turn it into
a rejection (a value, like every gqr decision).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from gqr._errors import InvalidInputError
from gqr._extras import require
from gqr._log import logger

__all__ = ["ChatClient", "Reply"]

Messages = list[dict[str, str]]

_RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class Reply:
    """One chat completion: the answer ``text``, or ``error`` when there is none; ``latency_ms`` covers retries."""

    text: str | None
    error: str | None
    latency_ms: float
    attempts: int

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"latency_ms": round(self.latency_ms, 3), "attempts": self.attempts}
        out["text" if self.error is None else "error"] = self.text if self.error is None else self.error
        return out


class ChatClient:
    """OpenAI-compatible chat completions with timeouts, retries and a concurrency limit.

    ``api_key_env`` names the environment variable that holds the API key (read once, here); ``None`` sends no
    key (local servers). A failed attempt (connection error, timeout, HTTP 408/409/429/5xx) is retried up to
    ``retries`` times, waiting ``backoff * 2**attempt`` seconds (at most ``max_backoff``). ``complete_many`` runs
    at most ``max_concurrency`` requests at once. Requests use ``temperature`` 0 and at most ``max_tokens``;
    ``extra_body`` adds server-specific fields to every request, for example a llama.cpp ``grammar`` or a vLLM
    ``guided_choice`` that constrains the answer.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key_env: str | None = None,
        timeout: float = 30.0,
        retries: int = 2,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        max_concurrency: int = 4,
        max_tokens: int = 16,
        temperature: float = 0.0,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise InvalidInputError(f"base_url: expected an http:// or https:// URL, got {base_url!r}")
        if timeout <= 0 or retries < 0 or backoff < 0 or max_concurrency < 1 or max_tokens < 1:
            raise InvalidInputError(
                "expected timeout > 0, retries >= 0, backoff >= 0, max_concurrency >= 1 and max_tokens >= 1, got "
                f"timeout={timeout}, retries={retries}, backoff={backoff}, max_concurrency={max_concurrency}, "
                f"max_tokens={max_tokens}"
            )
        api_key = None
        if api_key_env is not None:
            api_key = os.environ.get(api_key_env)
            if not api_key:
                raise InvalidInputError(
                    f"api_key_env: expected the API key in environment variable {api_key_env!r}, got it unset or empty"
                )
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_concurrency = max_concurrency
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.extra_body = dict(extra_body or {})
        httpx = require("httpx", "llm")
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        limits = httpx.Limits(max_connections=max_concurrency, max_keepalive_connections=max_concurrency)
        self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout, limits=limits)
        self._httpx = httpx

    def __repr__(self) -> str:
        return f"ChatClient(base_url={self.base_url!r}, model={self.model!r})"

    def complete(self, messages: Messages) -> Reply:
        """One chat completion; retries transient failures, never raises for a server problem."""
        body = {
            "model": self.model,
            "messages": messages,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stream": False,
            **self.extra_body,
        }
        start = time.perf_counter()
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(min(self.backoff * 2 ** (attempt - 1), self.max_backoff))
            text, error, retry = self._attempt(body)
            if text is not None or not retry:
                break
            logger.info("LLM call failed (attempt %d of %d): %s", attempt + 1, self.retries + 1, error)
        latency_ms = (time.perf_counter() - start) * 1000.0
        if text is None:
            logger.warning("LLM call to %s failed: %s", self.base_url, error)
            return Reply(None, error, latency_ms, attempt + 1)
        return Reply(text, None, latency_ms, attempt + 1)

    def complete_many(self, conversations: Sequence[Messages]) -> list[Reply]:
        """``complete`` for each conversation, in order, at most ``max_concurrency`` at a time."""
        if len(conversations) <= 1 or self.max_concurrency == 1:
            return [self.complete(m) for m in conversations]
        with ThreadPoolExecutor(max_workers=self.max_concurrency, thread_name_prefix="gqr-llm") as pool:
            return list(pool.map(self.complete, conversations))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ChatClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _attempt(self, body: dict[str, Any]) -> tuple[str | None, str, bool]:
        """``(text, error, retryable)`` for one HTTP request."""
        httpx = self._httpx
        url = f"{self.base_url}/chat/completions"
        try:
            resp = self._http.post("/chat/completions", json=body)
        except httpx.TimeoutException as exc:
            return None, f"timeout after {self.timeout} s calling {url} ({type(exc).__name__})", True
        except httpx.TransportError as exc:
            return None, f"cannot reach {url}: {type(exc).__name__}: {exc}", True
        if resp.status_code != 200:
            snippet = resp.text[:200]
            return (
                None,
                f"expected HTTP 200 from {url}, got {resp.status_code}: {snippet}",
                (resp.status_code in _RETRY_STATUS),
            )
        try:
            payload = resp.json()
        except ValueError:
            return None, f"expected a JSON body from {url}, got: {resp.text[:200]!r}", False
        try:
            content = payload["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            got = str(payload)[:200]
            return None, f"expected choices[0].message.content in the response of {url}, got: {got}", False
        if not isinstance(content, str):
            return None, f"expected a string as choices[0].message.content, got {type(content).__name__}", False
        return content, "", False
