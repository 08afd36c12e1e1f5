"""``gqr score``: score CSV / JSONL / Parquet files, in one process or on Dask."""

from __future__ import annotations

import glob
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any

import typer

from gqr.cli._classifier import Model

FileFormat = StrEnum("FileFormat", "csv jsonl parquet")  # those of gqr.batch
Engine = StrEnum("Engine", "local dask")


def score(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Input file(s) (.csv, .jsonl/.ndjson, .parquet/.pq); '-' for stdin; quoted globs like 'data/*.csv'."
        ),
    ],
    output: Annotated[
        str,
        typer.Option(
            "--output", "-o", help="Output file ('-' for stdout), or a directory for several inputs or a glob."
        ),
    ],
    text_column: Annotated[
        str, typer.Option("--text-column", "-c", help="Column (JSONL: key) holding the queries.")
    ] = "text",
    model: Model = None,
    input_format: Annotated[
        FileFormat | None, typer.Option("--format", help="Input format; default: the extension (csv for stdin).")
    ] = None,
    output_format: Annotated[
        FileFormat | None, typer.Option(help="Output format; default: the output's extension, else the input's.")
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(min=1, help="Rows per chunk (memory is flat in file size); default: the library's.")
    ] = None,
    max_chars: Annotated[
        int | None, typer.Option(min=1, help="Longer texts are rejected as too_long; default: the router's limit.")
    ] = None,
    engine: Annotated[Engine, typer.Option(help="local (this process) or dask (files in parallel).")] = Engine.local,
    workers: Annotated[int | None, typer.Option(min=1, help="Dask: local worker processes (default: CPUs).")] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask: address of a running scheduler (its workers must see the files).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary.")] = False,
) -> None:
    """Score CSV, JSONL or Parquet files: every input column plus route, label, confidence, reason and error.

    One output row per input record, in order; a row that cannot be read has reason "error" and the cause in "error".
    Output files appear only once complete; the output's directory must exist (a directory output is created).
    A progress bar shows on a terminal, and a summary at the end; --quiet shows neither.
    """
    from gqr._errors import InvalidInputError
    from gqr.batch import BATCH_SIZE, MAX_CHARS, expand_inputs

    signal.signal(signal.SIGTERM, lambda signum, _: sys.exit(128 + signum))  # so that the temporary output is removed
    options: dict[str, Any] = {
        "text_column": text_column,
        "input_format": input_format and input_format.value,
        "output_format": output_format and output_format.value,
        "batch_size": batch_size or BATCH_SIZE,
        "max_chars": max_chars or MAX_CHARS,
    }
    many = len(inputs) > 1 or output.endswith(("/", os.sep)) or os.path.isdir(output)
    many = many or any(glob.has_magic(i) and not os.path.exists(i) for i in inputs)
    show = not quiet and sys.stderr.isatty()
    if many:
        if "-" in inputs:
            raise InvalidInputError("'-' (stdin) cannot be one of several inputs; expected file paths or globs")
        del options["input_format"]
        n_files = len(expand_inputs(inputs))
        with _bar(show, "files", n_files) as tick:
            if engine is Engine.dask:
                from gqr._extras import require
                from gqr.dask import score_files

                require("distributed", "dask")  # importing it sets its loggers' levels: quiet them after that
                if not logging.getLogger("gqr").isEnabledFor(logging.INFO):  # no --verbose: no cluster chatter
                    logging.getLogger("distributed").setLevel(logging.WARNING)

                summary = score_files(
                    inputs, output, model=model, workers=workers, scheduler=scheduler, progress=tick, **options
                )
            else:
                from gqr.batch import score_files

                summary = score_files(inputs, output, model=model, progress=tick, **options)
    else:
        if engine is Engine.dask:
            raise InvalidInputError(
                "--engine dask scores files in parallel: expected several inputs or a glob, and an output directory"
            )
        from gqr.batch import score_file

        guessed = inputs[0] == "-" and options["input_format"] is None
        if guessed:
            options["input_format"] = "csv"  # stdin has no extension to tell the format by
        try:
            with _bar(show, "rows", None) as tick:
                summary = score_file(inputs[0], output, model=model, progress=tick, **options)
        except InvalidInputError as exc:
            if guessed:
                raise InvalidInputError(f"{exc} (stdin is read as CSV; for JSONL or Parquet pass --format)") from None
            raise
        if logging.getLogger("gqr.batch").isEnabledFor(logging.INFO):
            return  # --verbose: the library has logged this summary already
    if not quiet:
        typer.echo(str(summary), err=True)


@contextmanager
def _bar(show: bool, unit: str, total: int | None) -> Iterator[Callable[..., None] | None]:
    """A rich progress bar on stderr (rows/s and ETA); yields its update callback, or ``None`` when hidden.

    For rows the callback takes ``(rows_done, fraction_read)``; for files it takes each file's summary.
    """
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    columns = (
        TextColumn("scoring"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rows]:,} rows, {task.fields[rate]:,.0f} rows/s, ETA"),
        TimeRemainingColumn(),
    )
    started = time.perf_counter()
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("scoring", total=1.0 if unit == "rows" else total, rows=0, rate=0.0)

        def rows(done: int, fraction: float | None) -> None:
            rate = done / max(time.perf_counter() - started, 1e-9)
            total = None if fraction is None else 1.0
            progress.update(task, total=total, completed=fraction or 0.0, rows=done, rate=rate)

        scored = [0]

        def files(summary: Any) -> None:
            scored[0] += summary.rows_out
            rate = scored[0] / max(time.perf_counter() - started, 1e-9)
            progress.update(task, advance=1, rows=scored[0], rate=rate)

        yield rows if unit == "rows" else files
