"""LLM backends with the same :class:`gqr.Classifier` protocol as the ONNX routers (extra ``llm``).

>>> from gqr.guards import load_backend
>>> router = load_backend("prompt-router", base_url="http://127.0.0.1:8080/v1", model="llama3.1:8b")
>>> router.classify("Can my landlord keep my deposit?").route  # doctest: +SKIP
'law'

Backends (names for :func:`load_backend`, ``gqr classify --backend`` and ``gqr bench --backend``):

- ``prompt-router``: a chat LLM answers Law, Finance, Health or Other (:class:`PromptRouter`).
- ``llama-guard``: Llama Guard 3 rejects unsafe queries, a router model routes the rest (:class:`LlamaGuard`).
- ``nemo``: NeMo Guardrails' self-check-input rail with the paper's policy, then a router model (:class:`NemoGuard`).
- ``cascade``: the fast router answers when confident, an LLM backend the rest (:class:`Cascade`).

Every LLM call goes through :class:`ChatClient` (any OpenAI-compatible ``/v1/chat/completions``). A query the LLM
could not answer (server down, timeout, malformed response) is a rejection with reason ``error``, never an
exception; the backend's raw output is kept in ``Decision.raw``.
"""

from __future__ import annotations

import inspect
from typing import Any

from gqr._errors import InvalidInputError
from gqr._protocol import Classifier

from ._cascade import Cascade
from ._client import ChatClient, Reply
from ._llama_guard import CATEGORIES, PAPER_CATEGORIES, LlamaGuard
from ._nemo import POLICY_PROMPT, NemoGuard
from ._prompt_router import SYSTEM_PROMPT, PromptRouter

__all__ = [
    "BACKENDS",
    "CATEGORIES",
    "PAPER_CATEGORIES",
    "POLICY_PROMPT",
    "SYSTEM_PROMPT",
    "Cascade",
    "ChatClient",
    "LlamaGuard",
    "NemoGuard",
    "PromptRouter",
    "Reply",
    "load_backend",
]

_LLM_BACKENDS: dict[str, type] = {"prompt-router": PromptRouter, "llama-guard": LlamaGuard, "nemo": NemoGuard}
BACKENDS: tuple[str, ...] = (*_LLM_BACKENDS, "cascade")


def _params(func: Any, skip: tuple[str, ...] = ()) -> set[str]:
    return {p for p in inspect.signature(func).parameters if p not in ("self", *skip)}


def load_backend(name: str, **options: Any) -> Classifier:
    """Build the backend ``name`` (one of :data:`BACKENDS`) from keyword options.

    LLM backends need ``base_url`` and ``model`` and accept the other :class:`ChatClient` options
    (``api_key_env``, ``timeout``, ``retries``, ``backoff``, ``max_concurrency``, ``max_tokens``, ...) plus their
    own (``router``, ``categories``, ``policy_prompt``, ``max_chars``). ``cascade`` takes ``fast`` (a classifier
    or model name; default ``gqr.load()``), ``threshold``, and ``llm``: the name of the LLM backend for uncertain
    queries (default ``"prompt-router"``, built from the remaining options) or a classifier.
    """
    if name == "cascade":
        own = {k: options.pop(k) for k in ("fast", "threshold") if k in options}
        llm = options.pop("llm", "prompt-router")
        if isinstance(llm, str):
            if llm not in _LLM_BACKENDS:
                raise InvalidInputError(f"expected llm to be one of {list(_LLM_BACKENDS)}, got {llm!r}")
            llm = load_backend(llm, **options)
        elif options:
            raise InvalidInputError(f"options {sorted(options)} need llm to be a backend name, got {llm!r}")
        return Cascade(llm, **own)
    if name not in _LLM_BACKENDS:
        raise InvalidInputError(f"expected a backend name in {list(BACKENDS)}, got {name!r}")
    cls = _LLM_BACKENDS[name]
    client_keys, backend_keys = _params(ChatClient), _params(cls, skip=("client",))
    unknown = set(options) - client_keys - backend_keys
    if unknown:
        raise InvalidInputError(
            f"unknown option(s) {sorted(unknown)} for backend {name!r}; expected some of "
            f"{sorted(client_keys | backend_keys)}"
        )
    missing = [k for k in ("base_url", "model") if not options.get(k)]
    if missing:
        raise InvalidInputError(f"backend {name!r} needs {missing} (the OpenAI-compatible server and model name)")
    client = ChatClient(**{k: v for k, v in options.items() if k in client_keys})
    return cls(client, **{k: v for k, v in options.items() if k in backend_keys})
