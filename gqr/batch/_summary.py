"""What a scoring job did: rows in and out, routed per domain, rejected per reason, errors."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from gqr._decision import DOMAINS, REASONS

__all__ = ["Summary"]

_REJECT_REASONS = tuple(r for r in REASONS if r != "error")


@dataclass(slots=True)
class Summary:
    """Counts of one scoring job, or of several files (:meth:`merge`).

    ``rows_out == sum(routed.values()) + sum(rejected.values()) + errors``: ``errors`` counts the rows with reason
    ``"error"`` (not readable, text not a string, or the classifier failed on them). ``blank_lines`` are input
    lines holding no record (skipped); ``invalid_utf8`` counts undecodable byte sequences replaced by U+FFFD;
    ``dropped_fields`` counts JSONL fields that did not fit the columns of a CSV or Parquet output (keys first seen
    after the first chunk).
    """

    input: str = ""
    output: str = ""
    model: str = ""
    rows_in: int = 0
    rows_out: int = 0
    routed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DOMAINS, 0))
    rejected: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_REJECT_REASONS, 0))
    errors: int = 0
    blank_lines: int = 0
    invalid_utf8: int = 0
    dropped_fields: int = 0
    seconds: float = 0.0
    files: int = 1

    @property
    def rows_per_second(self) -> float:
        return self.rows_out / self.seconds if self.seconds > 0 else 0.0

    def count(self, results: Iterable[tuple[Any, ...]]) -> None:
        """Add one chunk of ``(route, label, confidence, reason, error)`` results."""
        for (route, reason), n in Counter((r[0], r[3]) for r in results).items():
            self.rows_out += n
            if route is not None:
                self.routed[route] += n
            elif reason == "error":
                self.errors += n
            else:
                self.rejected[reason] += n

    @classmethod
    def merge(cls, summaries: Sequence[Summary], inputs: Sequence[object], output: object, seconds: float) -> Summary:
        """One summary for several files scored from ``inputs`` (paths or globs) into ``output`` in ``seconds``."""
        merged = cls(
            input=" ".join(map(str, inputs)),
            output=str(output),
            model=summaries[0].model if summaries else "",
            seconds=seconds,
            files=len(summaries),
        )
        for s in summaries:
            for name in ("rows_in", "rows_out", "errors", "blank_lines", "invalid_utf8", "dropped_fields"):
                setattr(merged, name, getattr(merged, name) + getattr(s, name))
            for key in DOMAINS:
                merged.routed[key] += s.routed[key]
            for key in _REJECT_REASONS:
                merged.rejected[key] += s.rejected[key]
        return merged

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``rows_per_second`` included)."""
        return {**asdict(self), "rows_per_second": round(self.rows_per_second, 1)}

    def __str__(self) -> str:
        def counts(d: dict[str, int]) -> str:
            return ", ".join(f"{k} {v:,}" for k, v in d.items() if v) or "none"

        files = f"{self.files} files " if self.files != 1 else ""
        lines = [
            f"scored {files}{self.input} -> {self.output} with {self.model}",
            f"rows in {self.rows_in:,}, rows out {self.rows_out:,} in {self.seconds:.1f} s "
            f"({self.rows_per_second:,.0f} rows/s)",
            f"routed: {counts(self.routed)}",
            f"rejected: {counts(self.rejected)}",
            f"errors: {self.errors:,}",
        ]
        skipped = {
            "blank lines skipped": self.blank_lines,
            "invalid UTF-8 sequences replaced by U+FFFD": self.invalid_utf8,
            "JSONL fields dropped (not in the output columns)": self.dropped_fields,
        }
        lines += [f"{what}: {n:,}" for what, n in skipped.items() if n]
        return "\n".join(lines)
