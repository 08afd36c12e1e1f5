"""GQR-Bench scoring: run any classifier over the benchmark and report the paper's metrics.

>>> from gqr.bench import evaluate
>>> result = evaluate(lambda texts: ["ood"] * len(texts), limit_per_set=50)  # doctest: +SKIP
>>> print(result.table())  # doctest: +SKIP
"""

from __future__ import annotations

from gqr.bench._harness import evaluate
from gqr.bench._metrics import UNSAFE_SETS, Scores, as_label_ids, harmonic_mean, score
from gqr.bench._report import BenchResult, markdown_header, markdown_row

__all__ = [
    "UNSAFE_SETS",
    "BenchResult",
    "Scores",
    "as_label_ids",
    "evaluate",
    "harmonic_mean",
    "markdown_header",
    "markdown_row",
    "score",
]
