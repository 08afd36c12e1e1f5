"""``gqr train``: train one model family, export it to ONNX and write its card; or, with ``--routes``, a router
for your own routes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer


def parse_params(items: list[str]) -> dict[str, Any]:
    """``["C=0.5", "max_tokens=64", "table_dtype=int8"]`` -> ``{"C": 0.5, "max_tokens": 64, "table_dtype": "int8"}``."""
    from gqr._errors import InvalidInputError

    params: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InvalidInputError(f"--param must look like KEY=VALUE, got {item!r}")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    return params


def train(
    family: str | None = typer.Option(
        None, "--family", "-f", help="Model family: widemlp, fasttext, svm or xgboost (not with --routes)."
    ),
    routes: Path | None = typer.Option(
        None,
        "--routes",
        help="Train a router for your own routes from this route file (.toml, .csv or .jsonl) instead; takes "
        "--out, --name, --threshold and --seed only.",
    ),
    threshold: float | None = typer.Option(
        None, "--threshold", min=0.0, max=1.0, help="With --routes: replace the threshold calibrated from the examples."
    ),
    variant: str = typer.Option("guarded", "--variant", help="strict (in-domain only) or guarded (+ outliers)."),
    out: Path = typer.Option(
        Path("gqr-models"),
        "--out",
        "-o",
        help="Directory for <name>.onnx and <name>.json (default: not the shipped models/).",
    ),
    name: str | None = typer.Option(
        None, "--name", help="Model name (default: <family>-<variant>; with --routes, the name of --out)."
    ),
    epochs: int | None = typer.Option(None, "--epochs", help="Training epochs (families that have them)."),
    param: list[str] = typer.Option(
        [],
        "--param",
        "-p",
        help="A constructor parameter of the family as KEY=VALUE (VALUE as JSON, else text); repeat.",
    ),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed and data: same model)."),
    max_per_dataset: int = typer.Option(5000, "--max-per-dataset", help="Cap on texts per outlier dataset."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="GQR data directory (default: $GQR_DATA_DIR)."),
    bench: bool = typer.Option(True, "--bench/--no-bench", help="Score the model on GQR-Bench into its card."),
    title_views: bool = typer.Option(
        False,
        "--title-views/--no-title-views",
        help="Also learn each Reddit post's title alone, as a short query (see benchmarks/RESULTS.md for its cost).",
    ),
    question_views: bool = typer.Option(
        False,
        "--question-views/--no-question-views",
        help="Also learn the domain question sentences of long in-domain texts alone, as short queries.",
    ),
    unsafe_suffixes: int = typer.Option(
        0,
        "--unsafe-suffixes",
        help="Also learn this many in-domain questions followed by an insult or injection, as unsafe.",
    ),
    held_out: bool = typer.Option(
        False,
        "--held-out/--no-held-out",
        help="Then run the source-held-out protocol (gqr/train/_heldout.py: one more training per fold) and store "
        "its scores in the card under training.held_out (gqr bench shows them).",
    ),
) -> None:
    """Train a model on the train split, tune its thresholds on the eval split, write it to --out.

    With --routes: train a router for your own routes from their examples (gqr.train_routes), write it to --out.
    """
    from gqr._errors import InvalidInputError

    if routes is not None:
        given = {
            "--family": family,
            "--param": param,
            "--epochs": epochs,
            "--data-dir": data_dir,
            "--title-views": title_views,
            "--question-views": question_views,
            "--unsafe-suffixes": unsafe_suffixes,
            "--held-out": held_out,
        }
        if any(given.values()):
            raise InvalidInputError(
                f"--routes takes --out, --name, --threshold and --seed, got also {[k for k, v in given.items() if v]}"
            )
        _train_routes(routes, out, name, threshold, seed)
        return
    if threshold is not None:
        raise InvalidInputError(
            "--threshold is for --routes; a --family model's thresholds are tuned on the eval split"
        )
    from gqr.train import FAMILIES, VARIANTS, train

    if family is None:
        raise InvalidInputError(
            f"expected --family (one of {sorted(FAMILIES)}) for the built-in domains or --routes FILE for your own "
            "routes, got neither"
        )
    if family not in FAMILIES:
        raise InvalidInputError(f"--family must be one of {sorted(FAMILIES)}, got {family!r}")
    if variant not in VARIANTS:
        raise InvalidInputError(f"--variant must be one of {list(VARIANTS)}, got {variant!r}")
    params = {**parse_params(param), **({} if epochs is None else {"epochs": epochs})}
    result = train(
        family,
        variant,
        out_dir=out,
        name=name,
        params=params,
        seed=seed,
        max_per_dataset=max_per_dataset,
        data_dir=data_dir,
        bench=bench,
        title_views=title_views,
        question_views=question_views,
        unsafe_suffixes=unsafe_suffixes,
    )
    ev = result.eval
    typer.echo(
        f"wrote {result.onnx_path} ({result.onnx_path.stat().st_size / 1e6:.1f} MB) and {result.card_path} "
        f"in {result.seconds:.0f} s\n"
        f"eval: objective {ev.objective:.4f}, id acc {ev.id_acc:.4f}, rejection {ev.rejection:.4f}; "
        f"thresholds {result.thresholds}"
    )
    if bench:
        numbers = json.loads(result.card_path.read_text(encoding="utf-8"))["bench"]
        typer.echo("bench: " + ", ".join(f"{k} {v}" for k, v in numbers.items() if not isinstance(v, dict)))
        typer.echo("bench per OOD set: " + json.dumps(numbers["ood_acc_per_set"]))
    if held_out:
        from gqr.bench import held_out_table
        from gqr.train._heldout import held_out_scores, store_held_out

        held = held_out_scores(
            family,
            variant,
            params,
            seed=seed,
            max_per_dataset=max_per_dataset,
            data_dir=data_dir,
            title_views=title_views,
            question_views=question_views,
            unsafe_suffixes=unsafe_suffixes,
        )
        store_held_out(result.card_path, held)
        typer.echo(held_out_table(held))


def _train_routes(routes: Path, out: Path, name: str | None, threshold: float | None, seed: int) -> None:
    import time

    from gqr._routes import train_routes

    start = time.perf_counter()
    router = train_routes(routes, out, name=name, threshold=threshold, seed=seed)
    typer.echo(
        f"wrote {out / router.card['onnx']['file']} ({router.size_bytes / 1e6:.1f} MB) and {out / router.name}.json "
        f"in {time.perf_counter() - start:.1f} s\nroutes: {', '.join(router.routes)}; thresholds "
        f"{router.card['thresholds']}"
    )
