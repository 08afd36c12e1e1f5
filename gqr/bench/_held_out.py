"""Renderings of source-held-out scores (the dict of :func:`gqr.train._heldout.held_out_scores`, as stored in a
card under ``training.held_out``): a plain-text table for ``gqr bench`` and Markdown for ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["held_out_markdown", "held_out_table"]

_DASH = "—"


def held_out_table(held: Mapping[str, Any]) -> str:
    """A plain-text table: ID accuracy per domain and per held-out source, rejection per held-out outlier source."""
    fold = held.get("fold_table", {})
    rows = [
        ("source-held-out", f"{held.get('folds')} folds, {held.get('family')} {held.get('variant')} (no retraining)"),
        ("ID accuracy", f"{_pct(held.get('id_acc'))} %  (all held-out in-domain texts)"),
    ]
    source_mean = held.get("id_acc_per_domain_source_mean", {})
    for d, acc in held.get("id_acc_per_domain", {}).items():
        n = sum(held.get("n_id_per_source", {}).get(d, {}).values())
        rows.append((d, f"{_pct(acc)} %  (n={n}; mean over sources {_pct(source_mean.get(d))} %)"))
    for d, sources in held.get("id_acc_per_source", {}).items():
        for s, acc in sources.items():
            n = held["n_id_per_source"][d][s]
            rows.append((f"  {d}/{s}", f"{_pct(acc)} %  (n={n}, fold {fold.get(s, '?')})"))
    rows.append(("outlier rejection", f"{_pct(held.get('rejection'))} %  (mean over held-out outlier sources)"))
    for r, rate in held.get("rejection_per_reason", {}).items():
        rows.append((f"  {r}", f"{_pct(rate)} %  rejected (over texts)"))
    reason = held.get("reason_acc_per_source", {})
    for s, rate in held.get("rejection_per_source", {}).items():
        n = held["n_outlier_per_source"][s]
        rows.append(
            (f"  {s}", f"{_pct(rate)} %  (n={n}, fold {fold.get(s, '?')}) reason right {_pct(reason.get(s))} %")
        )
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def held_out_markdown(held: Mapping[str, Any], model: str | None = None) -> str:
    """Markdown tables: per domain, per held-out in-domain source, per held-out outlier source (percentages)."""
    fold = held.get("fold_table", {})
    name = model or f"{held.get('family')}-{held.get('variant')}"
    source_mean = held.get("id_acc_per_domain_source_mean", {})
    n_id = held.get("n_id_per_source", {})
    lines = [
        f"Source-held-out, {name}: ID accuracy {_pct(held.get('id_acc'))} %, outlier rejection "
        f"{_pct(held.get('rejection'))} % (mean over sources).",
        "",
        "| domain | held-out texts | ID acc (over texts) | ID acc (mean over sources) |",
        "|---|---:|---:|---:|",
    ]
    for d, acc in held.get("id_acc_per_domain", {}).items():
        lines.append(f"| {d} | {sum(n_id.get(d, {}).values())} | {_pct(acc)} | {_pct(source_mean.get(d))} |")
    lines += ["", "| domain | held-out source | fold | n | routed right |", "|---|---|---:|---:|---:|"]
    for d, sources in held.get("id_acc_per_source", {}).items():
        for s, acc in sources.items():
            lines.append(f"| {d} | {s} | {fold.get(s, _DASH)} | {n_id[d][s]} | {_pct(acc)} |")
    lines += ["", "| held-out outlier source | fold | n | rejected | reason right |", "|---|---:|---:|---:|---:|"]
    reason = held.get("reason_acc_per_source", {})
    for s, rate in held.get("rejection_per_source", {}).items():
        n = held["n_outlier_per_source"][s]
        lines.append(f"| {s} | {fold.get(s, _DASH)} | {n} | {_pct(rate)} | {_pct(reason.get(s))} |")
    per_reason = held.get("rejection_per_reason", {})
    if per_reason:
        shares = ", ".join(f"{r} {_pct(v)} %" for r, v in per_reason.items())
        lines += ["", f"Rejected per reason (over texts): {shares}"]
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    return _DASH if value is None else f"{100 * value:.2f}"
