"""The input rule and the decision rule, shared by training (threshold tuning), inference and every classifier.

:func:`precheck` rejects the texts no model needs to see (the same rule in the router, the LLM guards and batch
scoring). Then a model emits one score in [0, 1] per output. The first outputs are its routes (``law``,
``finance``, ``healthcare`` for the built-in models, the user's own for a custom-route model: :func:`routes_of`);
a *guarded* model also has reject outputs (``off_topic``, ``unsafe``, ``other_language``).
A query is routed to the best route when that route's score clears its threshold and no reject output scores
higher; otherwise it is rejected, with the best reject output as reason, or ``low_confidence`` when the model has
no reject outputs or none of them beat the routes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Literal

import numpy as np

from gqr._decision import REASONS, check_route_name
from gqr._errors import InvalidInputError

__all__ = ["MAX_CHARS", "REJECT_OUTPUTS", "Verdict", "check_outputs", "decide", "one_row_rule", "precheck", "routes_of"]

MAX_CHARS = 10_000
"""Longest text (in characters) the router scores; longer texts are rejected with reason ``"too_long"``."""

REJECT_OUTPUTS: tuple[str, ...] = ("off_topic", "unsafe", "other_language")
LOW_CONFIDENCE = REASONS.index("low_confidence")
Verdict = tuple[int, int, float]
"""``(label, reason, confidence)``: the route's index (``len(routes)``: rejected), index into :data:`gqr.REASONS`
(-1 when routed), confidence."""


def routes_of(outputs: Sequence[str]) -> tuple[str, ...]:
    """The routes among a model's outputs: every output that is not a reject output, in order."""
    return tuple(o for o in outputs if o not in REJECT_OUTPUTS)


def check_outputs(outputs: object) -> tuple[str, ...]:
    """The routes of a model's ``outputs`` when they are one or more route names (:func:`check_route_name`) followed
    by distinct reject outputs; :class:`InvalidInputError` otherwise (for model cards and :func:`make_card`)."""
    items: list[object] = outputs if isinstance(outputs, list) else []
    routes = routes_of(items)  # type: ignore[arg-type]  # checked to be str below
    try:
        valid = (
            bool(routes)
            and all(isinstance(o, str) for o in items)
            and tuple(items[: len(routes)]) == routes
            and len(set(items)) == len(items)
            and all(check_route_name(r) for r in routes)
        )
    except InvalidInputError:
        valid = False
    if not valid:
        raise InvalidInputError(
            f"outputs must be one or more route names followed by distinct ones of {list(REJECT_OUTPUTS)}, "
            f"got {outputs!r}"
        )
    return routes


def precheck(text: object, max_chars: int = MAX_CHARS, *, where: str = "text") -> Literal["empty", "too_long"] | None:
    """The reason to reject ``text`` before any model sees it, or ``None`` when it is to be scored.

    One order of checks for every caller (router, LLM guards, batch scoring):

    1. a non-``str`` raises :class:`TypeError` naming ``where`` and the type (decode ``bytes`` first);
    2. an empty or whitespace-only text is ``"empty"``, whatever its length (10,000 spaces are ``"empty"``);
    3. a text longer than ``max_chars`` characters is ``"too_long"``.

    Costs O(1) for ordinary text (``str.isspace`` stops at the first non-space character), so megabyte strings
    are rejected without being read.
    """
    if not isinstance(text, str):
        hint = " (decode bytes first, e.g. data.decode('utf-8', errors='replace'))" if isinstance(text, bytes) else ""
        raise TypeError(f"{where} must be str, got {type(text).__name__}{hint}")
    if not text or text.isspace():
        return "empty"
    if len(text) > max_chars:
        return "too_long"
    return None


def decide(
    scores: np.ndarray, outputs: Sequence[str], thresholds: Mapping[str, float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Apply the rule to a ``[batch, len(outputs)]`` score matrix.

    Returns ``(label, reason, confidence)``: ``label`` holds the index of the route in :func:`routes_of`
    ``(outputs)``, ``len(routes)`` when rejected (for the built-in models the GQR labels 0 law, 1 finance,
    2 healthcare, 3 ood), ``reason`` an index into :data:`gqr.REASONS` (-1 when routed), ``confidence`` the
    score of the winning output (for ``low_confidence``: one minus the best route score).
    """
    scores = np.asarray(scores, dtype=np.float32)
    if scores.ndim != 2 or scores.shape[1] != len(outputs):
        raise InvalidInputError(f"expected scores of shape [batch, {len(outputs)}], got {scores.shape}")
    routes = routes_of(outputs)
    dom_cols = [outputs.index(d) for d in routes]
    rej_cols = [i for i, o in enumerate(outputs) if o in REJECT_OUTPUTS]
    dom = scores[:, dom_cols]
    best = dom.argmax(axis=1)
    best_score = dom[np.arange(len(dom)), best]
    tau = np.array([thresholds[d] for d in routes], dtype=np.float32)[best]
    routed = best_score >= tau
    reason = np.full(len(scores), -1, dtype=np.int64)
    confidence = best_score.copy()
    if rej_cols:
        rej = scores[:, rej_cols]
        rbest = rej.argmax(axis=1)
        rscore = rej[np.arange(len(rej)), rbest]
        beaten = rscore > best_score
        routed &= ~beaten
        rej_reason = np.array([REASONS.index(outputs[c]) for c in rej_cols])[rbest]
        reason = np.where(~routed & beaten, rej_reason, reason)
        confidence = np.where(~routed & beaten, rscore, confidence)
    low = ~routed & (reason < 0)
    reason[low] = LOW_CONFIDENCE
    confidence = np.where(low, 1.0 - best_score, confidence)
    label = np.where(routed, best, len(routes))
    return label.astype(np.int64), reason, np.clip(confidence, 0.0, 1.0).astype(np.float32)


def one_row_rule(outputs: Sequence[str], thresholds: Mapping[str, float]) -> Callable[[Sequence[float]], Verdict]:
    """:func:`decide` for one row of scores, in plain Python, with the output positions and thresholds worked out
    once: a function ``row -> (label, reason, confidence)`` of Python scalars.

    The single-query hot path of the router (about 1 µs instead of about 20 µs of numpy call overhead). Same rule
    and same results as :func:`decide` (ties go to the first output; thresholds compare at float32 precision).
    """
    routes = routes_of(outputs)
    n = len(routes)
    dom = [outputs.index(d) for d in routes]
    tau = [float(np.float32(thresholds[d])) for d in routes]
    rej = [(k, REASONS.index(o)) for k, o in enumerate(outputs) if o in REJECT_OUTPUTS]

    def rule(row: Sequence[float]) -> Verdict:
        best, best_score = 0, row[dom[0]]
        for k in range(1, n):
            score = row[dom[k]]
            if score > best_score:
                best, best_score = k, score
        reason, reject_score = -1, best_score
        for k, why in rej:
            if row[k] > reject_score:
                reason, reject_score = why, row[k]
        if reason >= 0:
            return n, reason, _clip(reject_score)
        if best_score >= tau[best]:
            return best, -1, _clip(best_score)
        return n, LOW_CONFIDENCE, _clip(float(np.float32(1.0 - best_score)))

    return rule


def _clip(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x
