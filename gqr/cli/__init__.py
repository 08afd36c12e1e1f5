"""The ``gqr`` command line. Thin: parse, call the library, print.

Each command lives in its own module and imports what it needs inside the function, so ``gqr --help`` and
``gqr classify`` start fast.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import typer
from typer.core import TyperOption

from gqr._version import __version__

app = typer.Typer(
    name="gqr",
    help="Guarded query routing: route queries to law, finance or healthcare, reject the rest.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gqr {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress to stderr."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    command, started = ctx.invoked_subcommand, time.perf_counter()
    logger = logging.getLogger("gqr.cli")
    logger.info("gqr %s (gqr %s)", command, __version__)

    def end() -> None:
        failure = sys.exc_info()[1]  # set when the command is ending with an exception
        ok = failure is None or getattr(failure, "exit_code", 1) == 0
        outcome = "done" if ok else f"stopped by {type(failure).__name__}"
        logger.info("gqr %s: %s after %.2f s", command, outcome, time.perf_counter() - started)

    ctx.call_on_close(end)


def _hide_flag_types() -> None:
    """Typer's help shows a value type beside every option, ``<bool>`` beside on/off flags too; a flag takes no
    value, so show none."""
    shown = TyperOption.display_type_rich

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        return None if getattr(self, "is_flag", False) else shown(self, ctx)

    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_hide_flag_types()


# (command name, module under gqr.cli, function): each command module is imported at start-up, so it must
# stay light and import heavy libraries inside the function.
_COMMANDS: list[tuple[str, str, str]] = [
    ("bench", "_bench", "bench"),
    ("classify", "_classify", "classify"),
    ("data", "_data", "data"),
    ("models", "_classify", "models"),
    ("score", "_score", "score"),
    ("serve", "_serve", "serve"),
    ("train", "_train", "train"),
]


def _register() -> None:
    import importlib

    for name, module, func in _COMMANDS:
        app.command(name)(getattr(importlib.import_module(f"gqr.cli.{module}"), func))


_register()


def main() -> None:
    """Entry point of the ``gqr`` console script."""
    from gqr.cli._errors import run

    run(app)
