"""The scoring step shared by every engine: text values in, one result tuple per value out, in order."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import cast

from gqr._decision import Decision
from gqr._errors import ClassifierOutputError
from gqr._log import logger
from gqr._policy import MAX_CHARS, precheck
from gqr._protocol import Classifier
from gqr._router import Router

__all__ = ["MAX_CHARS", "RESULT_COLUMNS", "ModelSpec", "Result", "load_classifier", "score_texts"]

RESULT_COLUMNS: tuple[str, ...] = ("route", "label", "confidence", "reason", "error")
"""The columns gqr adds to every input row."""

ModelSpec = str | os.PathLike[str] | Classifier | None
Result = tuple[str | None, str, float, str | None, str | None]
"""One row's ``(route, label, confidence, reason, error)``."""

_PRECHECKED: dict[str, Result] = {reason: (None, "ood", 1.0, reason, None) for reason in ("empty", "too_long")}


def load_classifier(model: ModelSpec) -> Classifier:
    """``model`` itself when it is a :class:`gqr.Classifier`, else ``gqr.load(model)`` (``None``: the default)."""
    if isinstance(model, Classifier):
        return model
    from gqr._router import load

    return load(model)


def error_result(message: str) -> Result:
    """The result of a row that could not be scored: rejected with reason ``"error"`` and the message."""
    return (None, "ood", 0.0, "error", message)


def score_texts(
    classifier: Classifier, texts: Sequence[object], errors: Mapping[int, str], max_chars: int
) -> list[Result]:
    """Score one chunk: ``(route, label, confidence, reason, error)`` per text, in order.

    ``errors`` maps a row index to why that row could not be read (it is not scored). A missing (``None``) text is
    rejected with reason ``"empty"``; the others go through :func:`gqr._policy.precheck`, as in the router: an
    empty or whitespace text is ``"empty"``, one longer than ``max_chars`` is ``"too_long"`` (both confidence 1),
    and a value that is not a string is an error row with precheck's message.
    """
    results: list[Result | None] = [None] * len(texts)
    todo: list[int] = []
    for i, text in enumerate(texts):
        if errors and i in errors:
            results[i] = error_result(errors[i])
        elif text is None:
            results[i] = _PRECHECKED["empty"]
        else:
            try:
                reason = precheck(text, max_chars)
            except TypeError as exc:
                results[i] = error_result(str(exc))
                continue
            if reason is None:
                todo.append(i)
            else:
                results[i] = _PRECHECKED[reason]
    if todo:
        todo_texts = cast(list[str], [texts[i] for i in todo])  # precheck passed them: all str
        for i, decision in zip(todo, _classify(classifier, todo_texts), strict=True):
            results[i] = decision
    return results  # type: ignore[return-value]  # every slot is filled above


def _classify(classifier: Classifier, texts: list[str]) -> list[Result]:
    """Classify a batch; when the batch call raises, classify one by one so one bad text only fails its row."""
    try:
        if isinstance(classifier, Router):  # the lean path: no Decision objects
            return [
                (route, label, round(conf, 6), reason, None)
                for route, label, conf, reason in classifier.outcomes(texts)
            ]
        decisions = classifier.classify_batch(texts)
    except Exception as exc:
        logger.warning("classify_batch failed (%r); classifying its %d texts one by one", exc, len(texts))
        return [_classify_one(classifier, text) for text in texts]
    if len(decisions) != len(texts) or not all(isinstance(d, Decision) for d in decisions):
        got = f"{len(decisions)} items" if len(decisions) != len(texts) else "non-Decision items"
        raise ClassifierOutputError(
            f"{getattr(classifier, 'name', type(classifier).__name__)}.classify_batch must return one Decision per "
            f"text ({len(texts)}), got {got}"
        )
    return [(d.route, d.label, round(d.confidence, 6), d.reason, None) for d in decisions]


def _classify_one(classifier: Classifier, text: str) -> Result:
    try:
        d = classifier.classify(text)
    except Exception as exc:
        return error_result(f"{type(exc).__name__}: {exc}")
    if not isinstance(d, Decision):
        return error_result(f"classify returned {type(d).__name__}, expected a Decision")
    return (d.route, d.label, round(d.confidence, 6), d.reason, None)
