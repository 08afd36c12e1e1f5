"""The ONNX router: text in, :class:`gqr.Decision` out, in microseconds.

Input rules, applied before the model runs (these rejections carry an empty ``scores`` dict), in this order:

- a non-``str`` raises :class:`TypeError` naming the type (decode ``bytes`` first);
- a text that is empty or only whitespace is rejected with reason ``"empty"`` (confidence 1), whatever its length;
- a text longer than :data:`MAX_CHARS` characters is rejected with reason ``"too_long"`` (confidence 1; it is never
  featurized, so a megabyte of text costs nothing); shorter texts are featurized in full up to the featurizer's
  own ``max_chars`` / ``max_tokens`` limits (documented truncation);
- a text in which the featurizer finds no known token is rejected with reason ``"other_language"`` when most of
  its letters are not Latin script (the confidence is that share), else ``"low_confidence"`` (confidence 1).

The first three are :func:`gqr._policy.precheck`, which the LLM guards and batch scoring apply as well.

Everything else is scored by the model and decided by :func:`gqr._policy.decide` (``one_row_rule`` for a single
query): ``scores`` maps every model output to its score, and a rejection names the winning reject output of a
guarded model, or ``"low_confidence"``.
"""

from __future__ import annotations

import os
import unicodedata
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import repeat
from typing import Any, TypeVar

import numpy as np

from gqr._decision import OOD, REASONS, Decision, unchecked_decision
from gqr._policy import MAX_CHARS, decide, one_row_rule, precheck
from gqr._registry import available_models, find_card
from gqr._runtime import Model

__all__ = ["MAX_CHARS", "Outcome", "Router", "available_models", "load"]

BATCH_CHUNK = 1024
"""Texts featurized at a time by :meth:`Router.classify_batch`."""

RUN_CELLS = 4096
"""Most padded ``ids`` cells per onnxruntime call: the sparse first layer materializes ``cells x hidden`` floats,
so this bounds memory (and keeps it cache-sized) whatever the batch."""

Outcome = tuple[str | None, str, float, str | None]
"""``(route, label, confidence, reason)`` of one text, as :meth:`Router.outcomes` gives it."""

_T = TypeVar("_T")
_WORKERS = 2  # threads featurizing + scoring chunks in classify_batch / outcomes
_REASON_OF = (*REASONS, None)  # index: reason from decide, -1 (routed) -> None


class Router:
    """Routes queries to the model's routes (``law``, ``finance`` or ``healthcare`` for the built-in models), or
    rejects them (see the module docstring).

    Build one with :func:`gqr.load`. Thread-safe: one onnxruntime session, run with one thread per call.
    ``name``, ``card`` (the model card as a dict) and ``size_bytes`` (ONNX file size) describe the model;
    ``routes`` are its routes and ``labels`` the routes then ``"ood"`` (the values of :attr:`Decision.label`, in
    the order of :meth:`predict`'s integers).
    """

    def __init__(self, name_or_path: str | os.PathLike[str] | None = None) -> None:
        self._model = Model(find_card(name_or_path))
        self.name: str = self._model.name
        self.card: dict[str, Any] = self._model.card
        self.size_bytes: int = self._model.size_bytes
        self.routes: tuple[str, ...] = self._model.routes
        self.labels: tuple[str, ...] = (*self.routes, OOD)
        self._route_of: tuple[str | None, ...] = (*self.routes, None)  # index: label from the decision rule
        self._outputs = self._model.outputs
        self._featurizer = self._model.featurizer
        self._thresholds = self._model.thresholds
        self._rule = one_row_rule(self._outputs, self._thresholds)

    def classify(self, text: str) -> Decision:
        """Decide for one query."""
        early = _precheck(text, None)
        if early is not None:
            return early
        ids, weights = self._featurizer.transform_one(text)
        if not len(ids):
            return _no_known_token(text)
        return self._decision(self._model.scores(ids[None], weights[None])[0].tolist())

    def classify_batch(self, texts: Sequence[str]) -> list[Decision]:
        """Decide for many queries: one :class:`Decision` per text, in order.

        Texts are featurized :data:`BATCH_CHUNK` at a time, grouped by length so padding stays small, and scored
        in runs of at most :data:`RUN_CELLS` padded cells. With several chunks, two worker threads featurize and
        score chunks while this thread turns finished ones into decisions: numpy and onnxruntime release the GIL,
        so both cores are used.
        """
        return self._batch(texts, self._decisions, _same)

    def outcomes(self, texts: Sequence[str]) -> list[Outcome]:
        """:meth:`classify_batch` as plain ``(route, label, confidence, reason)`` tuples, without the per-output
        ``scores``: the lean form batch scoring writes out (no :class:`Decision` objects are built)."""
        return self._batch(texts, self._outcome_rows, _outcome)

    def _batch(
        self,
        texts: Sequence[str],
        decide_scores: Callable[[np.ndarray], list[_T]],
        convert: Callable[[Decision], _T],
    ) -> list[_T]:
        if isinstance(texts, str | bytes):
            raise TypeError(f"expected a sequence of str, got a single {type(texts).__name__} (use classify)")
        texts = list(texts)
        early = [_precheck(t, i) for i, t in enumerate(texts)]
        out: list[_T | None] = [None if d is None else convert(d) for d in early]
        # ASCII texts first (a chunk of ASCII texts only is tokenized fastest), each group by length (less padding)
        todo = sorted(
            (i for i, d in enumerate(early) if d is None), key=lambda i: (not texts[i].isascii(), len(texts[i]))
        )
        chunks = [todo[start : start + BATCH_CHUNK] for start in range(0, len(todo), BATCH_CHUNK)]

        def work(chunk: list[int]) -> tuple[list[int], np.ndarray]:
            return self._score(*self._featurize(texts, chunk, out, convert))

        def fill(rows: list[int], scores: np.ndarray) -> None:
            for i, item in zip(rows, decide_scores(scores), strict=True):
                out[i] = item

        if len(chunks) == 1:
            fill(*work(chunks[0]))
        elif chunks:
            with ThreadPoolExecutor(_WORKERS, thread_name_prefix="gqr-batch") as pool:
                pending: deque[Future[tuple[list[int], np.ndarray]]] = deque()
                for chunk in chunks:  # at most _WORKERS + 1 chunks in flight: memory stays flat
                    pending.append(pool.submit(work, chunk))
                    if len(pending) > _WORKERS:
                        fill(*pending.popleft().result())
                while pending:
                    fill(*pending.popleft().result())
        return out  # type: ignore[return-value]  # every slot is filled above

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Integer labels for ``texts``, in order: indices into :attr:`labels` (for the built-in models the GQR
        labels 0 law, 1 finance, 2 healthcare, 3 ood)."""
        index = {label: i for i, label in enumerate(self.labels)}
        return np.array([index[o[1]] for o in self.outcomes(texts)], dtype=np.int64)

    def _decision(self, row: list[float]) -> Decision:
        label, reason, confidence = self._rule(row)
        return unchecked_decision(
            self._route_of[label], confidence, dict(zip(self._outputs, row, strict=True)), _REASON_OF[reason]
        )

    def _featurize(
        self, texts: list[str], chunk: list[int], out: list[_T | None], convert: Callable[[Decision], _T]
    ) -> tuple[list[int], np.ndarray, np.ndarray, np.ndarray]:
        """Featurize ``texts[chunk]``; decide the texts with no known token; return the others shortest first."""
        ids, weights = self._featurizer.transform([texts[i] for i in chunk])
        lengths = np.count_nonzero(ids, axis=1)
        for i, n in zip(chunk, lengths.tolist(), strict=True):
            if not n:
                out[i] = convert(_no_known_token(texts[i]))
        keep = np.flatnonzero(lengths)
        keep = keep[np.argsort(lengths[keep], kind="stable")]
        return [chunk[k] for k in keep.tolist()], ids[keep], weights[keep], lengths[keep]

    def _score(
        self, rows: list[int], ids: np.ndarray, weights: np.ndarray, lengths: np.ndarray
    ) -> tuple[list[int], np.ndarray]:
        """Scores of featurized rows sorted by length, run by run, each run as long as fits in :data:`RUN_CELLS`."""
        parts = []
        a = 0
        while a < len(rows):
            b = a + max(1, int(np.count_nonzero(np.arange(1, len(rows) - a + 1) * lengths[a:] <= RUN_CELLS)))
            width = int(lengths[b - 1])
            parts.append(
                self._model.scores(np.ascontiguousarray(ids[a:b, :width]), np.ascontiguousarray(weights[a:b, :width]))
            )
            a = b
        return rows, np.concatenate(parts) if parts else np.zeros((0, len(self._outputs)), np.float32)

    def _decisions(self, scores: np.ndarray) -> list[Decision]:
        labels, reasons, confidence = decide(scores, self._outputs, self._thresholds)
        # map() over whole columns: about a quarter faster than a comprehension building the same objects
        routes = map(self._route_of.__getitem__, labels.tolist())
        score_dicts = map(dict, map(zip, repeat(self._outputs), scores.tolist()))
        why = map(_REASON_OF.__getitem__, reasons.tolist())
        return list(map(unchecked_decision, routes, confidence.tolist(), score_dicts, why))

    def _outcome_rows(self, scores: np.ndarray) -> list[Outcome]:
        labels, reasons, confidence = decide(scores, self._outputs, self._thresholds)
        return list(
            zip(
                [self._route_of[k] for k in labels.tolist()],
                [self.labels[k] for k in labels.tolist()],
                confidence.tolist(),
                [_REASON_OF[k] for k in reasons.tolist()],
                strict=True,
            )
        )

    def __repr__(self) -> str:
        return f"Router(name={self.name!r}, outputs={self._outputs})"


def load(name_or_path: str | os.PathLike[str] | None = None) -> Router:
    """Load a model: the default shipped one, a name from :func:`available_models`, or a ``.json``/``.onnx`` path.

    Raises :class:`gqr.ModelNotFoundError` (listing the available models) or :class:`gqr.ModelIntegrityError`
    (the ONNX file does not match its card's sha256, or the card is malformed).
    """
    return Router(name_or_path)


def _precheck(text: object, index: int | None) -> Decision | None:
    """:func:`gqr._policy.precheck` as a decision (``None``: to be scored); ``TypeError`` for a non-str."""
    reason = precheck(text, MAX_CHARS, where="text" if index is None else f"texts[{index}]")
    return None if reason is None else Decision(route=None, confidence=1.0, reason=reason)


def _same(decision: Decision) -> Decision:
    return decision


def _outcome(decision: Decision) -> Outcome:
    return (decision.route, decision.label, decision.confidence, decision.reason)


def _no_known_token(text: str) -> Decision:
    letters = [c for c in text if c.isalpha()]
    foreign = sum(not unicodedata.name(c, "").startswith("LATIN") for c in letters)
    if letters and foreign * 2 > len(letters):
        return Decision(route=None, confidence=foreign / len(letters), reason="other_language")
    return Decision(route=None, confidence=1.0, reason="low_confidence")
