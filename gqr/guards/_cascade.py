"""A cascade: the fast router answers when it is confident, an LLM backend answers the rest."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from gqr._decision import Decision
from gqr._errors import InvalidInputError
from gqr._protocol import Classifier

from ._base import check_texts, default_router

__all__ = ["Cascade"]


class Cascade:
    """``fast`` decides every query; those it decides with ``confidence < threshold`` go to ``llm``.

    ``fast`` is any :class:`gqr.Classifier`, a model name, or ``None`` for ``gqr.load()``; ``llm`` is any
    classifier (usually an LLM backend). A confident rejection by ``fast`` is final too. ``raw`` says which stage
    answered: ``{"stage": "fast", "fast": ...}`` or ``{"stage": "llm", "fast": <fast decision>, "llm": ...}``.
    ``llm_fraction`` is the share of queries sent to ``llm`` so far (``calls`` / ``queries``).
    """

    def __init__(
        self, llm: Classifier, *, fast: Classifier | str | None = None, threshold: float = 0.9, name: str = "cascade"
    ) -> None:
        if not isinstance(llm, Classifier):
            raise InvalidInputError(f"expected a gqr.Classifier as llm, got {llm!r}")
        if not 0.0 <= threshold <= 1.0:
            raise InvalidInputError(f"expected threshold in [0, 1], got {threshold!r}")
        self.llm = llm
        self.threshold = threshold
        self.name = name
        self.queries = 0
        self.calls = 0
        self._fast = fast
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Cascade(llm={self.llm!r}, threshold={self.threshold})"

    @property
    def fast(self) -> Classifier:
        """The fast router (loaded on first use)."""
        if not isinstance(self._fast, Classifier):
            self._fast = default_router(self._fast)
        return self._fast

    @property
    def llm_fraction(self) -> float:
        """Share of the queries classified so far that went to the LLM (0.0 before any)."""
        return self.calls / self.queries if self.queries else 0.0

    def classify(self, text: str) -> Decision:
        return self.classify_batch([text])[0]

    def classify_batch(self, texts: Sequence[str]) -> list[Decision]:
        check_texts(texts)
        first = self.fast.classify_batch(texts)
        unsure = [i for i, d in enumerate(first) if d.confidence < self.threshold]
        out = [Decision(d.route, d.confidence, d.scores, d.reason, raw={"stage": "fast", "fast": d.raw}) for d in first]
        if unsure:
            for i, d in zip(unsure, self.llm.classify_batch([texts[i] for i in unsure]), strict=True):
                raw = {"stage": "llm", "fast": first[i].to_dict(), "llm": d.raw}
                out[i] = Decision(d.route, d.confidence, d.scores, d.reason, raw=raw)
        with self._lock:
            self.queries += len(texts)
            self.calls += len(unsure)
        return out
