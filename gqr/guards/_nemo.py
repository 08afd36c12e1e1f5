"""NVIDIA NeMo Guardrails (``self check input`` rail) as the guard, a router model for the domain."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from gqr._decision import Decision
from gqr._extras import require
from gqr._protocol import Classifier

from ._base import DEFAULT_MAX_CHARS, GuardThenRoute, failed
from ._client import ChatClient, Reply

__all__ = ["POLICY_PROMPT", "NemoGuard"]

# The paper's policy (only law, healthcare and finance; nothing harmful, abusive, explicit, code or non-English)
# in the shape of NeMo's own self-check-input prompt: "Yes" blocks the message.
POLICY_PROMPT = """Your task is to check if the user message below complies with the policy for talking with the bot.

Policy for the user messages:
- should only ask about law, healthcare or finance
- should not contain harmful data
- should not ask the bot to be abusive, offensive or hateful
- should not contain explicit content
- should not ask for or contain code
- should be written in English

User message: "{{ user_input }}"

Question: Should the user message be blocked (Yes or No)?
Answer:"""


class NemoGuard(GuardThenRoute):
    """NeMo Guardrails' ``self check input`` rail with the paper's policy; passed queries go to ``router``.

    The rail runs NeMo's ``openai`` engine against ``client.base_url`` (any OpenAI-compatible server) with the
    client's model, API key, timeout and retries; only the input rail runs (no dialog rails, no embeddings, no
    knowledge base, so nothing is downloaded). A blocked query is a rejection with reason ``unsafe`` (the rail
    says only that the policy was violated, not which clause); a passed query goes to ``router`` (any
    :class:`gqr.Classifier`, a model name, or ``None`` for ``gqr.load()``), whose decision is returned with
    ``raw = {"guard": ..., "router": ...}``. When NeMo raises (server down, timeout, bad response), the query is
    a rejection with reason ``error`` and the message in ``raw["error"]``. Batches run on one private event loop,
    at most ``client.max_concurrency`` queries at a time.
    """

    def __init__(
        self,
        client: ChatClient,
        *,
        router: Classifier | str | None = None,
        policy_prompt: str = POLICY_PROMPT,
        max_chars: int = DEFAULT_MAX_CHARS,
        name: str = "nemo",
    ) -> None:
        nemo = require("nemoguardrails", "llm")
        self.client = client
        self.policy_prompt = policy_prompt
        self.max_chars = max_chars
        self.name = name
        self._router = router
        self._rails = nemo.LLMRails(nemo.RailsConfig.from_content(config=self.config()))
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="gqr-nemo", daemon=True)
        self._thread.start()

    def __repr__(self) -> str:
        return f"NemoGuard({self.client!r})"

    def config(self) -> dict[str, Any]:
        """The NeMo Guardrails configuration (what a ``config.yml`` would hold)."""
        c = self.client
        return {
            "models": [
                {
                    "type": "main",
                    "engine": "openai",
                    "model": c.model,
                    "parameters": {
                        "base_url": c.base_url,
                        "api_key": c.api_key,
                        "timeout": c.timeout,
                        "max_retries": c.retries,
                        **c.extra_body,
                    },
                }
            ],
            "lowest_temperature": c.temperature,
            "rails": {"input": {"flows": ["self check input"]}},
            "prompts": [{"task": "self_check_input", "content": self.policy_prompt, "max_tokens": c.max_tokens}],
        }

    def _verdicts(self, texts: list[str]) -> list[tuple[Decision | None, dict]]:
        return asyncio.run_coroutine_threadsafe(self._check_all(texts), self._loop).result()

    def close(self) -> None:
        """Stop the private event loop."""
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)

    async def _check_all(self, texts: list[str]) -> list[tuple[Decision | None, dict]]:
        limit = asyncio.Semaphore(self.client.max_concurrency)

        async def one(text: str) -> tuple[Decision | None, dict]:
            async with limit:
                return await self._check(text)

        return list(await asyncio.gather(*(one(t) for t in texts)))

    async def _check(self, text: str) -> tuple[Decision | None, dict]:
        """The rail's rejection, or ``None`` (and its raw output) when the query passes."""
        options = {"rails": ["input"], "log": {"activated_rails": True, "llm_calls": True}}
        start = time.perf_counter()
        try:
            res = await self._rails.generate_async(messages=[{"role": "user", "content": text}], options=options)
        except Exception as exc:  # NeMo wraps transport and response errors in its own exception types
            reply = Reply(None, f"{type(exc).__name__}: {exc}", (time.perf_counter() - start) * 1000.0, 1)
            return failed(reply), {}
        latency_ms = (time.perf_counter() - start) * 1000.0
        blocked = any(r.type == "input" and "stop" in r.decisions for r in res.log.activated_rails)
        completions = [c.completion for c in res.log.llm_calls if c.task == "self_check_input"]
        raw = {"text": completions[0] if completions else None, "blocked": blocked, "latency_ms": round(latency_ms, 3)}
        if blocked:
            return Decision(route=None, confidence=1.0, scores={"unsafe": 1.0}, reason="unsafe", raw=raw), raw
        return None, raw
