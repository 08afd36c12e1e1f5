"""``gqr train``: train one model family, export it to ONNX and write its card; or, with ``--routes``, a router
for your own routes."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from gqr._families import FAMILIES, VARIANTS
from gqr.cli._data import DataDir

Family = StrEnum("Family", list(FAMILIES))  # type: ignore[misc]  # choices listed by --help
Variant = StrEnum("Variant", list(VARIANTS))  # type: ignore[misc]
GUARDED = Variant("guarded")


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
    family: Annotated[Family | None, typer.Option("--family", "-f", help="Model family (not with --routes).")] = None,
    routes: Annotated[
        Path | None,
        typer.Option(
            help="Train a router for your own routes from this route file (.toml, .csv or .jsonl) instead; takes "
            "--out, --name, --threshold and --seed only."
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(min=0.0, max=1.0, help="With --routes: replace the threshold calibrated from the examples."),
    ] = None,
    variant: Annotated[Variant, typer.Option(help="strict (in-domain only) or guarded (+ outliers).")] = GUARDED,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for <name>.onnx and <name>.json (not the shipped models/).")
    ] = Path("gqr-models"),
    name: Annotated[
        str | None, typer.Option(help="Model name (default: <family>-<variant>; with --routes, the name of --out).")
    ] = None,
    epochs: Annotated[int | None, typer.Option(min=1, help="Training epochs (families that have them).")] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A family parameter, KEY=VALUE (VALUE as JSON, else text); repeatable."),
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="Random seed (same seed and data: same model).")] = 0,
    max_per_dataset: Annotated[int, typer.Option(min=1, help="Cap on texts per outlier dataset.")] = 5000,
    data_dir: DataDir = None,
    bench: Annotated[bool, typer.Option(help="Score the model on GQR-Bench into its card.")] = True,
    title_views: Annotated[
        bool,
        typer.Option(help="Also learn each Reddit post's title alone as a short query (cost: benchmarks/RESULTS.md)."),
    ] = False,
    question_views: Annotated[
        bool, typer.Option(help="Also learn the question sentences of long in-domain texts alone, as short queries.")
    ] = False,
    unsafe_suffixes: Annotated[
        int, typer.Option(min=0, help="Also learn N in-domain questions followed by an insult or injection, as unsafe.")
    ] = 0,
    held_out: Annotated[
        bool,
        typer.Option(
            help="Then run the source-held-out protocol (gqr/train/_heldout.py: one more training per fold) and store "
            "its scores in the card under training.held_out (gqr bench shows them).",
        ),
    ] = False,
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
    if family is None:
        raise InvalidInputError(
            f"expected --family (one of {', '.join(Family)}) for the built-in domains or --routes FILE for your own "
            "routes, got neither"
        )
    from gqr.train import train

    params = {**parse_params(param or []), **({} if epochs is None else {"epochs": epochs})}
    # What the training data is made of: the same for the model and for its source-held-out folds.
    data: dict[str, Any] = {
        "seed": seed,
        "max_per_dataset": max_per_dataset,
        "data_dir": data_dir,
        "title_views": title_views,
        "question_views": question_views,
        "unsafe_suffixes": unsafe_suffixes,
    }
    result = train(family.value, variant.value, out_dir=out, name=name, params=params, bench=bench, **data)
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

        held = held_out_scores(family.value, variant.value, params, **data)
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
