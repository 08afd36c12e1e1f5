"""Generalization: source-held-out scores of one family (gqr/train/_heldout.py) and the short-query dev set.

Trains the family once per fold of the fixed rotation, each time without the fold's sources, and scores their texts;
then scores every shipped model (or ``--dev-models``) on the short-query dev set. The family and parameters come from
``--family`` / ``-p`` or from a model card (``--card``: its family, variant, ``training.params`` and cap).

    GQR_DATA_DIR=../shared/data/raw python benchmarks/bench_heldout.py --card models/svm-guarded.json
    GQR_DATA_DIR=../shared/data/raw python benchmarks/bench_heldout.py --family svm -p C=1.5 --json-out /tmp/h.json

Prints a markdown block for the ``Generalization`` section of ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import gqr
from gqr.bench import evaluate_short, held_out_markdown, law_area_markdown, short_markdown_header
from gqr.cli._train import parse_params
from gqr.train._heldout import FOLDS, held_out_scores


def _git(*args: str) -> str:
    try:
        out = subprocess.run(["git", *args], capture_output=True, text=True, check=True, cwd=Path(__file__).parent)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--card", help="a model card (.json) or shipped model name: family, variant, params from it")
    parser.add_argument("--family", help="widemlp, fasttext, svm or xgboost (when no --card)")
    parser.add_argument("--variant", default=None, help="guarded (default) or strict")
    parser.add_argument("-p", "--param", action="append", default=[], help="KEY=VALUE, over the card's params")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--max-per-dataset", type=int, default=None, help="outlier cap per dataset (default 5000)")
    parser.add_argument("--title-views", action="store_true", help="train with title views (see gqr train)")
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--json-out", type=Path, help="also write the raw result as JSON here")
    parser.add_argument("--git-commit", help="commit to report (default: git rev-parse of this checkout)")
    parser.add_argument("--dev-models", nargs="*", default=None, help="models for the dev-set table (default: all)")
    args = parser.parse_args()

    card: dict = {}
    if args.card:
        card = gqr.load(args.card).card
    family = args.family or card.get("family")
    if family is None:
        parser.error("give --family or --card")
    training = card.get("training", {})
    params = {**training.get("params", {}), **parse_params(args.param)}
    variant = args.variant or card.get("variant", "guarded")
    seed = args.seed if args.seed is not None else training.get("seed", 0)
    cap = args.max_per_dataset or training.get("max_outliers_per_dataset") or 5000
    title_views = args.title_views or bool(training.get("title_views", False))
    views = {
        "question_views": bool(training.get("question_views", False)),
        "unsafe_suffixes": int(training.get("unsafe_suffixes", 0)),
    }

    held = held_out_scores(
        family, variant, params, folds=args.folds, seed=seed, max_per_dataset=cap, title_views=title_views, **views
    )
    commit = args.git_commit or _git("rev-parse", "--short", "HEAD")
    held["git_commit"] = commit
    if args.json_out:
        args.json_out.write_text(json.dumps(held, indent=2) + "\n", encoding="utf-8")

    print(f"`GQR_DATA_DIR={os.environ.get('GQR_DATA_DIR', '')} {' '.join([Path(sys.executable).name, *sys.argv])}`  ")
    print(
        f"{datetime.date.today()}, {platform.node()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, git {commit}, {held['seconds']:.0f} s  "
    )
    shown = {k: v for k, v in params.items() if k != "seed"}
    print(f"{family} {variant}, seed {seed}, outliers capped at {cap} per dataset, params `{json.dumps(shown)}`\n")
    print(held_out_markdown(held, card.get("name")))
    print("\nFold table (held out together):\n")
    for k in range(args.folds):
        sources = sorted(s for s, f in held["fold_table"].items() if f == k)
        print(f"- fold {k}: {', '.join(sources)}")

    names = args.dev_models if args.dev_models is not None else gqr.available_models()
    if names:
        results = [evaluate_short(gqr.load(n)) for n in names]
        print("\nShort-query dev set (`gqr/data/short_queries.csv`, dev / report only), % per label:\n")
        print(short_markdown_header())
        for r in results:
            print(r.markdown_row())
        print("\nLaw queries routed to law, % per area:\n")
        print(law_area_markdown(results))


if __name__ == "__main__":
    main()
