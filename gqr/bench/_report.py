"""The result of one benchmark run and its renderings: a dict (JSON), a plain-text table, a Markdown row."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gqr.bench._metrics import UNSAFE_SETS, Scores

__all__ = ["BenchResult", "markdown_header", "markdown_row"]

# Column order of the Markdown table in benchmarks/RESULTS.md (the paper's Table order for the OOD sets).
_OOD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("jigsaw", "Jigsaw"),
    ("olid", "OLID"),
    ("hate_xplain", "HateXplain"),
    ("dkhate", "dkhate"),
    ("hate_speech_slovak", "Slovak"),
    ("web_questions", "WebQ"),
    ("ml_questions", "MLQ"),
)
_DASH = "—"


@dataclass(frozen=True, slots=True)
class BenchResult:
    """One classifier scored on GQR-Bench.

    ``p50_us`` / ``p99_us``: latency per query at batch size 1 (``None`` when not measured);
    ``throughput_qps``: queries per second at batch size ``batch_size`` over the scoring pass;
    ``size_bytes``: model size (``None`` when the classifier does not say).
    """

    model: str
    scores: Scores
    p50_us: float | None
    p99_us: float | None
    latency_queries: int
    throughput_qps: float
    batch_size: int
    size_bytes: int | None
    limit_per_set: int | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the scores (fractions in [0, 1]) plus latency, throughput and size."""
        return {
            "model": self.model,
            **self.scores.to_dict(),
            "p50_us": self.p50_us,
            "p99_us": self.p99_us,
            "latency_queries": self.latency_queries,
            "throughput_qps": self.throughput_qps,
            "batch_size": self.batch_size,
            "size_bytes": self.size_bytes,
            "limit_per_set": self.limit_per_set,
        }

    def table(self) -> str:
        """A plain-text table for a terminal."""
        s = self.scores
        domains = ", ".join(f"{d} {_pct(v)}" for d, v in s.id_acc_per_domain.items())
        rows = [("model", self.model), ("ID accuracy", f"{_pct(s.id_acc)} %  (n={s.n_id}; {domains})")]
        for name, acc in s.ood_acc_per_set.items():
            right = (s.reason_acc_per_set or {}).get(name)
            reason = "" if right is None else f"  reason right {_pct(right)} %"
            rows.append((name, f"{_pct(acc)} %  (n={s.n_ood_per_set[name]}){reason}"))
        rows += [
            ("Unsafe Avg", f"{_pct(s.unsafe_avg)} %  ({', '.join(UNSAFE_SETS)})"),
            ("OOD accuracy", f"{_pct(s.ood_acc)} %  (unweighted mean of {len(s.ood_acc_per_set)} sets)"),
            ("GQR score", f"{_pct(s.gqr_score)}  (harmonic mean of ID and OOD accuracy)"),
        ]
        if s.reason_acc is not None:
            rows.append(("reason accuracy", f"{_pct(s.reason_acc)} %  (mean over OOD sets)"))
        rows += [
            ("latency p50 / p99", f"{_latency(self.p50_us)} / {_latency(self.p99_us)}  (batch 1)"),
            ("throughput", f"{self.throughput_qps:,.0f} queries/s  (batch {self.batch_size})"),
            ("size", _size(self.size_bytes)),
        ]
        if self.limit_per_set is not None:
            rows.append(("limit per set", str(self.limit_per_set)))
        width = max(len(k) for k, _ in rows)
        return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)

    def markdown_row(self) -> str:
        """This result as one row under :func:`markdown_header`."""
        return markdown_row(self.model, self.to_dict())


def markdown_header() -> str:
    """Header and separator lines of the Markdown results table (percentages; latency at batch 1)."""
    cols = ["model", "ID acc", *(title for _, title in _OOD_COLUMNS), "Unsafe Avg", "OOD acc", "GQR"]
    cols += ["p50", "p99", "q/s (batch 256)", "size"]
    return "| " + " | ".join(cols) + " |\n|" + "|".join(["---"] + ["---:"] * (len(cols) - 1)) + "|"


def markdown_row(model: str, values: Mapping[str, Any]) -> str:
    """One Markdown row from a dict with :meth:`BenchResult.to_dict` keys; missing values print as a dash.

    Also used for the paper's rows, which give only some of the columns.
    """
    per_set = values.get("ood_acc_per_set") or {}
    throughput = values.get("throughput_qps")
    cells = [
        model,
        _pct(values.get("id_acc")),
        *(_pct(per_set.get(name)) for name, _ in _OOD_COLUMNS),
        _pct(values.get("unsafe_avg")),
        _pct(values.get("ood_acc")),
        _pct(values.get("gqr_score")),
        _latency(values.get("p50_us")),
        _latency(values.get("p99_us")),
        _DASH if throughput is None else f"{throughput:,.0f}",
        _size(values.get("size_bytes")),
    ]
    return "| " + " | ".join(cells) + " |"


def _pct(value: float | None) -> str:
    return _DASH if value is None else f"{100 * value:.2f}"


def _latency(us: float | None) -> str:
    if us is None:
        return _DASH
    for unit, scale in (("s", 1e6), ("ms", 1e3)):
        if us >= scale:
            return f"{us / scale:.3g} {unit}"
    return f"{us:.3g} µs"


def _size(n: int | None) -> str:
    if n is None:
        return _DASH
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} B"
