"""``gqr bench``: score a model on GQR-Bench and the short-query dev set; show its card's source-held-out scores.
With ``--data``: score it on your own labelled queries instead."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from gqr.cli._classifier import ApiKeyEnv, BackendOption, BaseUrl, LlmModel
from gqr.cli._classifier import load_classifier as classifier
from gqr.cli._data import DataDir


def bench(
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="'baseline' trains and scores the TF-IDF + logistic regression baseline; any other name or path "
            "is loaded with gqr.load(); default: the shipped default model.",
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print a Markdown table row for benchmarks/RESULTS.md.")
    ] = False,
    limit_per_set: Annotated[
        int | None, typer.Option(min=1, help="Score at most N texts per ID domain and per OOD set (quick runs).")
    ] = None,
    latency_queries: Annotated[
        int, typer.Option(min=0, help="Queries timed one by one for p50/p99 latency (0: skip).")
    ] = 1000,
    data_dir: DataDir = None,
    short: Annotated[
        bool, typer.Option(help="Also score the short-query dev set (gqr/data/short_queries.csv, 700 queries).")
    ] = True,
    data: Annotated[
        Path | None,
        typer.Option(
            help="Score on your own labelled queries instead of GQR-Bench: a CSV (columns text, route) or JSONL file; "
            "an empty route means the query must be rejected (--limit-per-set, --short and --data-dir do not apply)."
        ),
    ] = None,
    backend: BackendOption = None,
    base_url: BaseUrl = None,
    llm_model: LlmModel = None,
    api_key_env: ApiKeyEnv = None,
) -> None:
    """Score a model on GQR-Bench: ID accuracy, each OOD set, Unsafe Avg, OOD accuracy, GQR score, latency.

    Then the short-query dev set (per domain, per rejection reason, per law area) and, when the model's card has
    them (``gqr train --held-out``), its source-held-out scores: read from the card, never retrained.

    With --data: accuracy per route, rejection, their harmonic mean, a confusion table and p50 latency on your file.
    """
    from gqr._errors import InvalidInputError
    from gqr.bench import (
        evaluate,
        evaluate_labelled,
        evaluate_short,
        held_out_markdown,
        held_out_table,
        law_area_markdown,
        markdown_header,
        short_markdown_header,
    )

    if json_out and markdown:
        raise InvalidInputError("expected --json or --markdown, got both")
    if data is not None and markdown:
        raise InvalidInputError("expected --json or no format option with --data, got --markdown (GQR-Bench rows)")
    classifier = load_classifier(model, data_dir, backend, base_url, llm_model, api_key_env)
    if data is not None:
        report = evaluate_labelled(classifier, data, latency_queries=latency_queries)
        typer.echo(json.dumps(report.to_dict(), indent=2, allow_nan=False) if json_out else report.table())
        return
    result = evaluate(
        classifier,
        name=classifier.name,
        limit_per_set=limit_per_set,
        latency_queries=latency_queries,
        data_dir=data_dir,
    )
    dev = evaluate_short(classifier, name=classifier.name) if short else None
    card = getattr(classifier, "card", None)
    held = card.get("training", {}).get("held_out") if isinstance(card, dict) else None
    if json_out:
        out = result.to_dict()
        if dev is not None:
            out["short_queries"] = dev.to_dict()
        if held is not None:
            out["held_out"] = held
        typer.echo(json.dumps(out, indent=2, allow_nan=False))
        return
    if markdown:
        parts = [f"{markdown_header()}\n{result.markdown_row()}"]
        if dev is not None:
            parts += [f"{short_markdown_header()}\n{dev.markdown_row()}", law_area_markdown([dev])]
        if held is not None:
            parts.append(held_out_markdown(held, classifier.name))
    else:
        parts = [result.table()]
        if dev is not None:
            parts.append(dev.table())
        if held is not None:
            parts.append(held_out_table(held))
    typer.echo("\n\n".join(parts))


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
    return classifier(model, backend, base_url, llm_model, api_key_env)
