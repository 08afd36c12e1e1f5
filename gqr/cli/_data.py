"""``gqr data``: a table of every data set, its size per split and where it came from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

DataDir = Annotated[Path | None, typer.Option(help="GQR data folder (default: $GQR_DATA_DIR).")]


def data(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    data_dir: DataDir = None,
) -> None:
    """List the GQR-Bench OOD test sets, the in-domain pool and the outlier pool with their split sizes."""
    from gqr.data import summary

    rows = summary(data_dir)
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in rows], indent=2))
        return
    header = ("role", "name", "domain/reason", "train", "eval", "test", "total", "source")
    table = [header] + [
        (r.role, r.name, r.kind, str(r.train), str(r.eval), str(r.test), str(r.total), r.source) for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    numeric = {3, 4, 5, 6}
    for row in table:
        cells = [c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        typer.echo("  ".join(cells).rstrip())
