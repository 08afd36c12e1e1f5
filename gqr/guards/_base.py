"""What every LLM backend shares: input checks, failure decisions, and deferring to a router model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gqr._decision import Decision
from gqr._errors import InvalidInputError
from gqr._policy import precheck
from gqr._protocol import Classifier

from ._client import Reply

__all__ = ["DEFAULT_MAX_CHARS", "GuardThenRoute", "check_texts", "default_router", "failed", "prechecked", "routed_by"]

DEFAULT_MAX_CHARS = 4000  # longer queries are rejected as "too_long" before any LLM call (context windows)


def check_texts(texts: Sequence[str]) -> None:
    """Raise :class:`TypeError` (as the ONNX router does) unless ``texts`` is a sequence of strings."""
    if isinstance(texts, str | bytes):
        raise TypeError(f"expected a sequence of str, got a single {type(texts).__name__} (use classify)")
    for i, text in enumerate(texts):
        precheck(text, where=f"texts[{i}]")


def prechecked(texts: Sequence[str], max_chars: int) -> tuple[list[Decision | None], list[int]]:
    """:func:`check_texts`, then per text the rejection :func:`gqr._policy.precheck` gives (``"empty"``,
    ``"too_long"``: no LLM call needed) or ``None``, and the positions of the texts still to decide."""
    check_texts(texts)
    out = [_precheck(t, max_chars) for t in texts]
    return out, [i for i, d in enumerate(out) if d is None]


def _precheck(text: str, max_chars: int) -> Decision | None:
    reason = precheck(text, max_chars)
    if reason is None:
        return None
    raw = {"chars": len(text), "max": max_chars} if reason == "too_long" else None
    return Decision(route=None, confidence=1.0, reason=reason, raw=raw)


def failed(reply: Reply) -> Decision:
    """The rejection for an LLM call that gave no answer (server down, timeout, HTTP error, bad JSON)."""
    return Decision(route=None, confidence=0.0, reason="error", raw=reply.to_dict())


def routed_by(router_decision: Decision, guard_raw: dict[str, Any]) -> Decision:
    """The router's decision for a query the guard let through, with both raw outputs kept."""
    return Decision(
        route=router_decision.route,
        confidence=router_decision.confidence,
        scores=router_decision.scores,
        reason=router_decision.reason,
        raw={"guard": guard_raw, "router": router_decision.raw},
    )


def default_router(router: Classifier | str | None) -> Classifier:
    """``router`` itself, or ``gqr.load(router)`` for a model name or path (``None``: the default model)."""
    if router is None or isinstance(router, str):
        import gqr

        return gqr.load() if router is None else gqr.load(router)
    if not isinstance(router, Classifier):
        raise InvalidInputError(f"expected a gqr.Classifier, a model name or None as router, got {router!r}")
    return router


class GuardThenRoute:
    """A guard backend: an LLM check per query; the queries it passes go to a router model for their domain.

    Subclasses set ``max_chars`` and ``_router`` (a classifier, a model name, or ``None`` for the default model)
    and implement :meth:`_verdicts`.
    """

    max_chars: int
    _router: Classifier | str | None

    @property
    def router(self) -> Classifier:
        """The router model for queries the guard passes (loaded on first use)."""
        if not isinstance(self._router, Classifier):
            self._router = default_router(self._router)
        return self._router

    def classify(self, text: str) -> Decision:
        return self.classify_batch([text])[0]

    def classify_batch(self, texts: Sequence[str]) -> list[Decision]:
        out, todo = prechecked(texts, self.max_chars)
        passed: list[tuple[int, dict]] = []
        for i, (decision, raw) in zip(todo, self._verdicts([texts[i] for i in todo]), strict=True):
            if decision is None:
                passed.append((i, raw))
            out[i] = decision
        if passed:
            routed = self.router.classify_batch([texts[i] for i, _ in passed])
            for (i, raw), decision in zip(passed, routed, strict=True):
                out[i] = routed_by(decision, raw)
        return out  # type: ignore[return-value]  # every slot is filled above

    def _verdicts(self, texts: list[str]) -> list[tuple[Decision | None, dict]]:
        """Per text: the guard's rejection, or ``None`` with the guard's raw output when the query passes."""
        raise NotImplementedError
