"""The ``gqr`` command line. Thin: parse, call the library, print.

Each command lives in its own module and imports what it needs inside the function, so ``gqr --help`` and
``gqr classify`` start fast. Errors: click's own usage errors (exit code 2); a :class:`gqr.GQRError` is one line on
stderr and exit code 2; an operating-system error (file unreadable, disk full) one line and exit code 1; Ctrl-C exit
code 130; anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import logging
import time
from typing import Annotated, Any

import typer
from typer.core import TyperGroup, TyperOption

from gqr._errors import GQRError
from gqr._version import __version__
from gqr.cli import _bench, _classify, _data, _score, _serve, _train

logger = logging.getLogger("gqr.cli")


class _Group(TyperGroup):
    """Runs one command: logs how it ended (with ``-v``) and turns an expected error into one line on stderr."""

    def invoke(self, ctx: Any) -> Any:
        started = time.perf_counter()
        outcome = "done"
        try:
            return super().invoke(ctx)
        except BaseException as exc:
            if getattr(exc, "exit_code", 1):
                outcome = f"stopped by {type(exc).__name__}"
            if isinstance(exc, KeyboardInterrupt):
                typer.echo("interrupted", err=True)
                raise typer.Exit(130) from None
            if isinstance(exc, GQRError | OSError) and not isinstance(exc, BrokenPipeError):
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(2 if isinstance(exc, GQRError) else 1) from exc
            raise
        finally:
            logger.info("gqr %s: %s after %.2f s", ctx.invoked_subcommand, outcome, time.perf_counter() - started)


app = typer.Typer(
    name="gqr",
    cls=_Group,
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
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress to stderr.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    logger.info("gqr %s (gqr %s)", ctx.invoked_subcommand, __version__)


_display_type_rich = TyperOption.display_type_rich


def _no_type_for_flags(self: TyperOption, ctx: Any) -> str | None:
    """Typer's help shows a value type beside every option, ``<bool>`` beside on/off flags too; a flag takes no
    value, so show none."""
    return None if self.is_flag else _display_type_rich(self, ctx)


TyperOption.display_type_rich = _no_type_for_flags  # type: ignore[method-assign]

# Each command module is imported at start-up, so it must stay light and import heavy libraries inside the function.
_COMMANDS = (_bench.bench, _classify.classify, _data.data, _classify.models, _score.score, _serve.serve, _train.train)
for _command in _COMMANDS:
    app.command()(_command)


def main() -> None:
    """Entry point of the ``gqr`` console script."""
    app()
