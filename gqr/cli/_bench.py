"""``gqr bench``: score a model on GQR-Bench."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from gqr.cli._classifier import API_KEY_ENV, BACKEND, BASE_URL, LLM_MODEL


def bench(
    model: str | None = typer.Option(
        None,
        "--model",
        "-m",
        help="'baseline' trains and scores the TF-IDF + logistic regression baseline; any other name or path "
        "is loaded with gqr.load(); default: the shipped default model.",
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    markdown: bool = typer.Option(False, "--markdown", help="Print a Markdown table row for benchmarks/RESULTS.md."),
    limit_per_set: int | None = typer.Option(
        None, "--limit-per-set", min=1, help="Score at most N texts per ID domain and per OOD set (quick runs)."
    ),
    latency_queries: int = typer.Option(
        1000, "--latency-queries", min=0, help="Queries timed one by one for p50/p99 latency (0: skip)."
    ),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="GQR-Bench data folder (default: $GQR_DATA_DIR)."),
    backend: str | None = BACKEND,
    base_url: str | None = BASE_URL,
    llm_model: str | None = LLM_MODEL,
    api_key_env: str | None = API_KEY_ENV,
) -> None:
    """Score a model on GQR-Bench: ID accuracy, each OOD set, Unsafe Avg, OOD accuracy, GQR score, latency."""
    from gqr._errors import InvalidInputError
    from gqr.bench import evaluate, markdown_header

    if json_out and markdown:
        raise InvalidInputError("expected --json or --markdown, got both")
    classifier = load_classifier(model, data_dir, backend, base_url, llm_model, api_key_env)
    result = evaluate(
        classifier,
        name=classifier.name,
        limit_per_set=limit_per_set,
        latency_queries=latency_queries,
        data_dir=data_dir,
    )
    if json_out:
        typer.echo(json.dumps(result.to_dict(), indent=2, allow_nan=False))
    elif markdown:
        typer.echo(f"{markdown_header()}\n{result.markdown_row()}")
    else:
        typer.echo(result.table())


def load_classifier(
    model: str | None,
    data_dir: Path | None,
    backend: str | None = None,
    base_url: str | None = None,
    llm_model: str | None = None,
    api_key_env: str | None = None,
) -> Any:
    """Turn the options into a :class:`gqr.Classifier`: the baseline, a shipped/ONNX model or an LLM backend."""
    if model == "baseline" and backend is None:
        from gqr.train._baseline import train_baseline

        return train_baseline(data_dir)
    from gqr.cli._classifier import load_classifier as load

    return load(model, backend, base_url, llm_model, api_key_env)
