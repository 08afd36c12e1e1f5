"""Score any classifier on the short-query dev set (``gqr/data/short_queries.csv``): dev / report only.

Per domain: the share routed to that domain. Per expected rejection reason: the share rejected (any reason) and
the share rejected with that reason. Per law area: the share of that area's law queries routed to law.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gqr._decision import DOMAINS, OOD
from gqr._errors import InvalidInputError
from gqr.bench._harness import _adapt, _run

__all__ = ["ShortResult", "evaluate_short", "law_area_markdown", "short_markdown_header"]

_REASONS = ("off_topic", "unsafe", "other_language")
_LABELS = (*DOMAINS, OOD)
_DASH = "—"


@dataclass(frozen=True, slots=True)
class ShortResult:
    """One classifier scored on the short-query dev set (fractions in [0, 1]).

    ``reason_acc_per_reason`` / ``reason_acc`` are ``None`` for a classifier that gives no reasons.
    """

    model: str
    id_acc_per_domain: dict[str, float]
    rejection_per_reason: dict[str, float]
    reason_acc_per_reason: dict[str, float] | None
    law_acc_per_area: dict[str, float]
    n_per_label: dict[str, int]
    n_per_law_area: dict[str, int]

    @property
    def id_mean(self) -> float:
        """Unweighted mean of the per-domain accuracies."""
        return _mean(self.id_acc_per_domain.values())

    @property
    def rejection_mean(self) -> float:
        """Unweighted mean of the per-reason rejection rates."""
        return _mean(self.rejection_per_reason.values())

    @property
    def reason_acc(self) -> float | None:
        """Unweighted mean of the per-reason reason accuracies."""
        return None if self.reason_acc_per_reason is None else _mean(self.reason_acc_per_reason.values())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "model": self.model,
            "id_mean": self.id_mean,
            "rejection_mean": self.rejection_mean,
            "reason_acc": self.reason_acc,
            "id_acc_per_domain": dict(self.id_acc_per_domain),
            "rejection_per_reason": dict(self.rejection_per_reason),
            "reason_acc_per_reason": None if self.reason_acc_per_reason is None else dict(self.reason_acc_per_reason),
            "law_acc_per_area": dict(self.law_acc_per_area),
            "n_per_label": dict(self.n_per_label),
            "n_per_law_area": dict(self.n_per_law_area),
        }

    def table(self) -> str:
        """A plain-text table for a terminal."""
        rows = [("short-query dev set", f"{sum(self.n_per_label.values())} queries (dev / report only)")]
        for d, acc in self.id_acc_per_domain.items():
            rows.append((d, f"{_pct(acc)} %  (n={self.n_per_label[d]}) routed right"))
        rows.append(("ID mean", f"{_pct(self.id_mean)} %"))
        for r, rate in self.rejection_per_reason.items():
            right = (self.reason_acc_per_reason or {}).get(r)
            reason = "" if right is None else f"  reason right {_pct(right)} %"
            rows.append((r, f"{_pct(rate)} %  (n={self.n_per_label[r]}) rejected{reason}"))
        rows.append(("rejection mean", f"{_pct(self.rejection_mean)} %"))
        if self.reason_acc is not None:
            rows.append(("reason accuracy", f"{_pct(self.reason_acc)} %  (mean over reasons)"))
        rows.append(("law areas", "routed to law, worst first"))
        for a, acc in sorted(self.law_acc_per_area.items(), key=lambda kv: (kv[1], kv[0])):
            rows.append((f"  {a}", f"{_pct(acc)} %  (n={self.n_per_law_area[a]})"))
        width = max(len(k) for k, _ in rows)
        return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)

    def markdown_row(self) -> str:
        """This result as one row under :func:`short_markdown_header`."""
        cells = [
            self.model,
            *(_pct(self.id_acc_per_domain.get(d)) for d in DOMAINS),
            _pct(self.id_mean),
            *(_pct(self.rejection_per_reason.get(r)) for r in _REASONS),
            _pct(self.rejection_mean),
            _pct(self.reason_acc),
        ]
        return "| " + " | ".join(cells) + " |"


def short_markdown_header() -> str:
    """Header and separator lines of the dev-set Markdown table (percentages)."""
    cols = ["model (short-query dev set)", *DOMAINS, "ID mean", *(f"{r} rejected" for r in _REASONS)]
    cols += ["rejection mean", "reason acc"]
    return "| " + " | ".join(cols) + " |\n|" + "|".join(["---"] + ["---:"] * (len(cols) - 1)) + "|"


def law_area_markdown(results: Sequence[ShortResult]) -> str:
    """Law accuracy per area (rows) for each result (columns), as a Markdown table."""
    if not results:
        raise InvalidInputError("expected at least one result")
    areas = sorted({a for r in results for a in r.law_acc_per_area})
    lines = ["| law area | n | " + " | ".join(r.model for r in results) + " |"]
    lines.append("|---|---:|" + "---:|" * len(results))
    for a in areas:
        n = next(r.n_per_law_area[a] for r in results if a in r.n_per_law_area)
        lines.append(f"| {a} | {n} | " + " | ".join(_pct(r.law_acc_per_area.get(a)) for r in results) + " |")
    return "\n".join(lines)


def evaluate_short(
    classifier: Any,
    *,
    name: str | None = None,
    batch_size: int = 256,
    examples: Sequence[Any] | None = None,
    areas: Sequence[str] | None = None,
) -> ShortResult:
    """Score ``classifier`` (a :class:`gqr.Classifier` or a callable ``list[str] -> labels``) on the dev set.

    ``examples`` / ``areas`` replace :func:`gqr.data.load_short_queries` / ``short_query_areas()`` (tests).
    Raises :class:`gqr.ClassifierOutputError` on a wrong number of labels or an unknown label.
    """
    if batch_size < 1:
        raise InvalidInputError(f"batch_size must be >= 1, got {batch_size!r}")
    if examples is None:
        from gqr.data._short import load_short_queries, short_query_areas

        examples, areas = load_short_queries(), short_query_areas()
    areas = list(areas) if areas is not None else [""] * len(examples)
    if not examples or len(areas) != len(examples):
        raise InvalidInputError(f"expected dev-set rows with one area each, got {len(examples)} and {len(areas)}")
    predict, _ = _adapt(classifier)
    labels, reasons, _ = _run(predict, [ex.text for ex in examples], batch_size)
    groups: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        groups.setdefault(ex.label if ex.label != OOD else ex.reason, []).append(i)
    id_acc = {d: _share(groups[d], lambda i, d=d: int(labels[i]) == DOMAINS.index(d)) for d in DOMAINS if d in groups}
    ood = _LABELS.index(OOD)
    rejection = {r: _share(groups[r], lambda i: int(labels[i]) == ood) for r in _REASONS if r in groups}
    reason_acc = None
    if reasons is not None:
        reason_acc = {r: _share(groups[r], lambda i, r=r: reasons[i] == r) for r in _REASONS if r in groups}
    law_areas: dict[str, list[int]] = {}
    for i in groups.get("law", []):
        law_areas.setdefault(areas[i], []).append(i)
    law = DOMAINS.index("law")
    model = str(name or getattr(classifier, "name", None) or getattr(classifier, "__name__", type(classifier).__name__))
    return ShortResult(
        model=model,
        id_acc_per_domain=id_acc,
        rejection_per_reason=rejection,
        reason_acc_per_reason=reason_acc,
        law_acc_per_area={a: _share(idx, lambda i: int(labels[i]) == law) for a, idx in sorted(law_areas.items())},
        n_per_label={k: len(v) for k, v in groups.items()},
        n_per_law_area={a: len(v) for a, v in sorted(law_areas.items())},
    )


def _share(index: list[int], ok: Any) -> float:
    return sum(1 for i in index if ok(i)) / len(index)


def _mean(values: Any) -> float:
    values = list(values)
    return sum(values) / len(values) if values else float("nan")


def _pct(value: float | None) -> str:
    return _DASH if value is None else f"{100 * value:.2f}"
