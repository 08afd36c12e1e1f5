"""GQR-Bench scoring: run any classifier over the benchmark and report the paper's metrics; also the short-query
dev set (:func:`evaluate_short`), the user's own labelled queries (:func:`evaluate_labelled`) and renderings of
a card's source-held-out scores (:func:`held_out_table`).

>>> from gqr.bench import evaluate
>>> result = evaluate(lambda texts: ["ood"] * len(texts), limit_per_set=50)  # doctest: +SKIP
>>> print(result.table())  # doctest: +SKIP
"""

from __future__ import annotations

from gqr.bench._harness import evaluate
from gqr.bench._held_out import held_out_markdown, held_out_table
from gqr.bench._labelled import LabelledReport, evaluate_labelled
from gqr.bench._metrics import UNSAFE_SETS, Scores, as_label_ids, harmonic_mean, score
from gqr.bench._report import BenchResult, markdown_header, markdown_row
from gqr.bench._short import ShortResult, evaluate_short, law_area_markdown, short_markdown_header

__all__ = [
    "UNSAFE_SETS",
    "BenchResult",
    "LabelledReport",
    "Scores",
    "ShortResult",
    "as_label_ids",
    "evaluate",
    "evaluate_labelled",
    "evaluate_short",
    "harmonic_mean",
    "held_out_markdown",
    "held_out_table",
    "law_area_markdown",
    "markdown_header",
    "markdown_row",
    "score",
    "short_markdown_header",
]
