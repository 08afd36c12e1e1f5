"""Short queries: each model on the titles of the test split's Reddit posts, and on the same posts whole.

Most in-domain pool texts are long posts (a title and a body), while users type short questions. The titles of the
Reddit posts in the test split (:attr:`gqr.data.Example.title`: titles of three words or more) are a held-out
set of short queries with known labels: law, finance or healthcare, or rejection for the general subreddits. Reporting
only: the test split is never learned from.

    GQR_DATA_DIR=../shared/data/raw python benchmarks/bench_short_queries.py [--models NAME_OR_PATH ...]

Prints a markdown block for the ``short-queries`` section of ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import sys
from collections import Counter
from pathlib import Path

import gqr
from gqr import data

LABELS = ("law", "finance", "healthcare", "ood")


def posts() -> list[data.Example]:
    """The test split's texts that have a title (Reddit posts)."""
    return [e for e in data.load_id("test") + data.load_outliers("test") if e.title is not None]


def accuracy(router: gqr.Router, texts: list[str], labels: list[str]) -> dict[str, float]:
    """Share of ``texts`` whose decision has the expected GQR label, per label."""
    right, total = Counter(), Counter(labels)
    for decision, label in zip(router.classify_batch(texts), labels, strict=True):
        right[label] += decision.label == label
    return {label: right[label] / total[label] for label in LABELS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=gqr.available_models(), help="model names or card paths")
    args = parser.parse_args()
    examples = posts()
    titles = [e.title for e in examples if e.title is not None]  # every one of them (see posts)
    labels = [e.label for e in examples]
    counts = Counter(labels)
    print(f"`{' '.join([Path(sys.executable).name, *sys.argv])}`  ")
    print(f"{datetime.date.today()}, {platform.node()}, {platform.machine()}, Python {platform.python_version()}  ")
    print(
        f"{len(examples):,} test-split Reddit posts: "
        + ", ".join(f"{label} {counts[label]:,}" for label in LABELS)
        + " (`ood`: general subreddits, to reject)\n"
    )
    print("Accuracy (%) on each post's title alone / on the whole post (title + body).\n")
    print("| model | law | finance | healthcare | rejected (ood) | ID mean, titles | ID mean, whole posts |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in args.models:
        router = gqr.load(name)
        short = accuracy(router, titles, labels)
        whole = accuracy(router, [e.text for e in examples], labels)
        cells = [f"{100 * short[label]:.1f} / {100 * whole[label]:.1f}" for label in LABELS]
        id_short = 100 * sum(short[label] for label in LABELS[:3]) / 3
        id_whole = 100 * sum(whole[label] for label in LABELS[:3]) / 3
        shown = router.name if name == router.name else f"{router.name} (`{name}`)"
        print(f"| {shown} | {' | '.join(cells)} | {id_short:.1f} | {id_whole:.1f} |")


if __name__ == "__main__":
    main()
