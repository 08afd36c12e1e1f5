"""``gqr classify`` and ``gqr models``."""

from __future__ import annotations

import json
import logging
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterator
from typing import Annotated

import typer

from gqr.cli._classifier import ApiKeyEnv, BackendOption, BaseUrl, LlmModel, Model, load_classifier

logger = logging.getLogger("gqr.cli")


def classify(
    queries: Annotated[list[str], typer.Argument(help="Queries to classify; '-' reads one query per line from stdin.")],
    model: Model = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object per query (with its text) instead.")
    ] = False,
    backend: BackendOption = None,
    base_url: BaseUrl = None,
    llm_model: LlmModel = None,
    api_key_env: ApiKeyEnv = None,
) -> None:
    """Route each query to law, finance or healthcare, or reject it.

    On a terminal: a table of query, route, confidence and reason. Piped: one tab-separated line per query, in
    order: route (or "rejected"), confidence, reason ("-" when routed) and the query (tabs and line breaks as
    spaces). Exit code 0 for any decision, routed or rejected; non-zero only for errors.
    """
    started = time.perf_counter()
    router = load_classifier(model, backend, base_url, llm_model, api_key_env)
    logger.info("loaded %s in %.0f ms", router.name, (time.perf_counter() - started) * 1e3)
    write = sys.stdout.write
    table = not as_json and sys.stdout.isatty()
    width = max(20, shutil.get_terminal_size().columns - 40) if table else 0
    if table:
        write(f"{'query':<{width}}  {'route':<10}  {'confidence':>10}  reason\n")
    counts: Counter[str] = Counter()
    started = time.perf_counter()
    for query in _expand(queries):
        decision = router.classify(query)
        route = decision.route or "rejected"
        counts[route if decision.route else f"rejected ({decision.reason})"] += 1
        if as_json:
            write(json.dumps({"text": query, **decision.to_dict()}) + "\n")
        elif table:
            row = f"{_clip(query, width):<{width}}  {route:<10}  {decision.confidence:>10.3f}  {decision.reason or ''}"
            write(row.rstrip() + "\n")
        else:
            write(f"{route}\t{decision.confidence:.3f}\t{decision.reason or '-'}\t{_one_line(query)}\n")
    seconds = time.perf_counter() - started
    summary = ", ".join(f"{k} {n}" for k, n in sorted(counts.items())) or "nothing"
    logger.info("classified %d queries in %.1f ms: %s", counts.total(), seconds * 1e3, summary)


def _writable(text: str) -> str:
    """``text`` with undecodable command-line bytes (lone surrogates) as U+FFFD, so that printing cannot fail."""
    if text.isascii():
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte
        return text.encode("utf-8", "replace").decode("utf-8")


def _one_line(text: str) -> str:
    text = _writable(text)
    return " ".join(text.split()) if any(c in text for c in "\t\r\n\v\f") else text


def _clip(text: str, width: int) -> str:
    text = "".join(c if c.isprintable() else " " for c in _writable(text))  # no terminal control characters
    return text if len(text) <= width else text[: width - 1] + "…"


def models(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object per model instead of a table.")
    ] = False,
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
    cells = [[f"{r['name']}{' *' if r['default'] else ''}", *(_cell(r[k]) for k in header[1:])] for r in rows]
    widths = [max(len(h), *(len(line[k]) for line in cells)) for k, h in enumerate(header)]
    for line in [list(header), *cells]:
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


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
