"""``gqr classify`` and ``gqr models``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import typer

from gqr.cli._classifier import API_KEY_ENV, BACKEND, BASE_URL, LLM_MODEL, MODEL_HELP, load_classifier


def classify(
    queries: list[str] = typer.Argument(..., help="Queries to classify; '-' reads one query per line from stdin."),
    model: str | None = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per query instead of text."),
    backend: str | None = BACKEND,
    base_url: str | None = BASE_URL,
    llm_model: str | None = LLM_MODEL,
    api_key_env: str | None = API_KEY_ENV,
) -> None:
    """Route each query to law, finance or healthcare, or reject it.

    Prints one line per query: route (or "rejected"), confidence and reason, tab-separated. Exit code 0 for any
    decision, routed or rejected; non-zero only for errors.
    """
    router = load_classifier(model, backend, base_url, llm_model, api_key_env)
    write = sys.stdout.write
    for query in _expand(queries):
        decision = router.classify(query)
        if as_json:
            write(json.dumps(decision.to_dict()) + "\n")
        else:
            write(f"{decision.route or 'rejected'}\t{decision.confidence:.3f}\t{decision.reason or '-'}\n")


def models(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per model instead of a table."),
) -> None:
    """List the available models with their size and headline benchmark numbers (* marks the default)."""
    from gqr._errors import ModelNotFoundError
    from gqr._registry import default_model, model_cards
    from gqr._runtime import read_card

    try:
        default = default_model()
    except ModelNotFoundError:
        default = None
    rows = []
    for name, path in model_cards().items():
        card = read_card(path)
        bench = card.get("bench", {})
        rows.append(
            {
                "name": name,
                "default": name == default,
                "family": card.get("family"),
                "variant": card.get("variant"),
                "size_mb": round((path.parent / card["onnx"]["file"]).stat().st_size / 1e6, 2),
                **{key: bench.get(key) for key in ("gqr_score", "id_acc", "ood_acc", "p50_us")},
                "path": str(path),
            }
        )
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row))
        return
    header = ("name", "family", "variant", "size_mb", "gqr_score", "id_acc", "ood_acc", "p50_us")
    table = [[f"{r['name']}{' *' if r['default'] else ''}", *(_cell(r[k]) for k in header[1:])] for r in rows]
    widths = [max(len(h), *(len(row[k]) for row in table)) for k, h in enumerate(header)]
    for row in [list(header), *table]:
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _cell(value: object) -> str:
    if value is None:
        return "-"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _expand(queries: list[str]) -> Iterator[str]:
    """The queries, with each '-' replaced by the lines of stdin (undecodable bytes become U+FFFD)."""
    for query in queries:
        if query == "-":
            for line in sys.stdin.buffer:
                yield line.decode("utf-8", errors="replace").rstrip("\r\n")
        else:
            yield query
