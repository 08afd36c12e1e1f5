"""Score a classifier on the user's own labelled queries (``gqr bench -m MODEL --data eval.csv``).

The file has ``text`` and ``route`` (CSV columns or JSONL keys; see :mod:`gqr._routes`); an empty route means the
query must be rejected. Every number is derived from one confusion table: expected (a route, or ``"ood"`` for a
query to reject) by decided (a route, or the rejection reason).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gqr._decision import DOMAINS, OOD, REASONS, Decision
from gqr._errors import ClassifierOutputError, InvalidInputError
from gqr._routes import read_labelled
from gqr.bench._harness import _WARMUP, _check_count, _latency
from gqr.bench._metrics import harmonic_mean

__all__ = ["LabelledReport", "evaluate_labelled"]


@dataclass(frozen=True, slots=True)
class LabelledReport:
    """One classifier scored on labelled queries.

    ``confusion[expected][decided]`` counts queries: ``expected`` is a route or ``"ood"`` (must be rejected),
    ``decided`` a route or a rejection reason. ``routes`` are the classifier's routes, in its order. ``p50_us`` /
    ``p99_us``: latency of one ``classify`` call over ``latency_queries`` queries (``None`` when not measured).
    """

    model: str
    source: str
    routes: tuple[str, ...]
    confusion: dict[str, dict[str, int]]
    p50_us: float | None
    p99_us: float | None
    latency_queries: int

    @property
    def n_per_label(self) -> dict[str, int]:
        """Queries per expected route (and ``"ood"``)."""
        return {label: sum(row.values()) for label, row in self.confusion.items()}

    @property
    def accuracy_per_route(self) -> dict[str, float]:
        """Per expected route, the share of its queries routed to it."""
        return {r: row.get(r, 0) / sum(row.values()) for r, row in self.confusion.items() if r != OOD}

    @property
    def routing_accuracy(self) -> float | None:
        """The share of all queries with a route that were routed right (``None`` when there are none)."""
        rows = [(r, row) for r, row in self.confusion.items() if r != OOD]
        n = sum(sum(row.values()) for _, row in rows)
        return sum(row.get(r, 0) for r, row in rows) / n if n else None

    @property
    def rejection(self) -> float | None:
        """The share of the queries to reject that were rejected, for any reason (``None`` when there are none)."""
        row = self.confusion.get(OOD)
        return sum(row.get(reason, 0) for reason in REASONS) / sum(row.values()) if row else None

    @property
    def harmonic_mean(self) -> float | None:
        """Harmonic mean of :attr:`routing_accuracy` and :attr:`rejection` (``None`` unless both exist)."""
        routing, rejection = self.routing_accuracy, self.rejection
        return None if routing is None or rejection is None else harmonic_mean(routing, rejection)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (fractions in [0, 1])."""
        return {
            "model": self.model,
            "source": self.source,
            "routes": list(self.routes),
            "n_per_label": self.n_per_label,
            "accuracy_per_route": self.accuracy_per_route,
            "routing_accuracy": self.routing_accuracy,
            "rejection": self.rejection,
            "harmonic_mean": self.harmonic_mean,
            "confusion": {label: dict(row) for label, row in self.confusion.items()},
            "p50_us": self.p50_us,
            "p99_us": self.p99_us,
            "latency_queries": self.latency_queries,
        }

    def table(self) -> str:
        """Plain-text tables for a terminal: the scores, then the confusion table."""
        n = self.n_per_label
        rows = [(route, _pct(acc), f"(n={n[route]})") for route, acc in self.accuracy_per_route.items()]
        if self.routing_accuracy is not None:
            rows.append(("routing", _pct(self.routing_accuracy), "(all queries with a route)"))
        if self.rejection is not None:
            rows.append(("rejection", _pct(self.rejection), f"(n={n[OOD]} to reject)"))
        if self.harmonic_mean is not None:
            rows.append(("harmonic mean", _pct(self.harmonic_mean), "(of routing and rejection)"))
        if self.p50_us is not None:
            note = f"(p99 {self.p99_us:.1f} µs; {self.latency_queries} queries, one at a time)"
            rows.append(("p50 latency", f"{self.p50_us:.1f} µs", note))
        key, number = (max(len(row[i]) for row in rows) for i in (0, 1))
        lines = [f"{self.model} on {self.source}: {sum(n.values())} queries, share routed right / rejected"]
        lines += [f"{k:<{key}}  {v:>{number}}  {note}" for k, v, note in rows]
        return "\n".join(lines) + f"\n\nconfusion (ood: must be rejected)\n{self.confusion_table()}"

    def confusion_table(self) -> str:
        """The confusion table as text: a row per expected route (``ood``: must be rejected), a column per
        decided route, then per rejection reason that occurs."""
        decided = {d for row in self.confusion.values() for d in row}
        columns = [*self.routes, *(r for r in REASONS if r in decided)]
        corner = "expected \\ decided"
        width = max(len(corner), *map(len, self.confusion))
        lines = [f"{corner:<{width}}  " + "  ".join(columns)]
        for label, row in self.confusion.items():
            lines.append(f"{label:<{width}}  " + "  ".join(f"{row.get(c, 0):>{len(c)}}" for c in columns))
        return "\n".join(lines)


def evaluate_labelled(
    classifier: Any,
    source: str | os.PathLike[str] | Sequence[tuple[str, str | None]],
    *,
    name: str | None = None,
    latency_queries: int = 1000,
    batch_size: int = 256,
    seed: int = 0,
) -> LabelledReport:
    """Score ``classifier`` (a :class:`gqr.Classifier`) on labelled queries and time it.

    ``source`` is a CSV or JSONL file of ``text, route`` (an empty route: must be rejected) or a sequence of
    ``(text, route or None)`` pairs. Latency is timed one query at a time over ``latency_queries`` queries sampled
    (seeded) from the file, after a warm-up (0 skips it).

    Raises :class:`gqr.InvalidInputError` for a bad file (see :func:`gqr.read_routes`) or a route the classifier
    does not have (naming both lists), :class:`gqr.ClassifierOutputError` for wrong output.
    """
    if latency_queries < 0 or batch_size < 1:
        raise InvalidInputError(
            f"expected latency_queries >= 0 and batch_size >= 1, got {latency_queries!r} and {batch_size!r}"
        )
    if not hasattr(classifier, "classify_batch"):
        raise TypeError(f"expected a gqr.Classifier (with classify_batch), got {type(classifier).__name__}")
    if isinstance(source, str | os.PathLike):
        where, pairs = os.fspath(source), [(row.text, row.route) for row in read_labelled(source)]
    else:
        where, pairs = "the given queries", [(text, route or None) for text, route in source]
    if not pairs:
        raise InvalidInputError(f"expected at least one labelled query in {where}, got none")
    routes = tuple(getattr(classifier, "routes", DOMAINS))
    model = str(name or getattr(classifier, "name", None) or type(classifier).__name__)
    unknown = sorted({route for _, route in pairs if route is not None} - set(routes))
    if unknown:
        raise InvalidInputError(
            f"{where} has route(s) {unknown} that model {model!r} does not have; the model's routes: "
            f"{list(routes)}; the file's: {sorted({r for _, r in pairs if r is not None})}"
        )
    texts = [text for text, _ in pairs]
    expected = [OOD if route is None else route for _, route in pairs]
    confusion: dict[str, dict[str, int]] = {label: {} for label in (*routes, OOD) if label in set(expected)}
    for start in range(0, len(texts), batch_size):
        decisions = classifier.classify_batch(texts[start : start + batch_size])
        _check_count(decisions, len(texts[start : start + batch_size]))
        for label, d in zip(expected[start : start + batch_size], decisions, strict=True):
            if not isinstance(d, Decision):
                raise ClassifierOutputError(f"classify_batch gave a {type(d).__name__}; expected Decision")
            decided = d.route if d.route is not None else str(d.reason)
            confusion[label][decided] = confusion[label].get(decided, 0) + 1
    p50 = p99 = None
    if latency_queries:
        sample = np.random.default_rng(seed).integers(0, len(texts), latency_queries + _WARMUP)
        times = _latency(classifier.classify, [texts[i] for i in sample])
        p50, p99 = (float(v) for v in np.percentile(times, [50, 99]))
    return LabelledReport(model, where, routes, confusion, p50, p99, latency_queries)


def _pct(value: float) -> str:
    return f"{100 * value:.2f} %"
