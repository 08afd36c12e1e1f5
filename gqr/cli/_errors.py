"""Turn gqr errors into one clear line on stderr and a non-zero exit code (no traceback)."""

from __future__ import annotations

import sys

import typer

from gqr._errors import GQRError


def run(app: typer.Typer) -> None:
    try:
        code = app(standalone_mode=False)
    except GQRError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except SystemExit:
        raise
    except Exception as exc:
        # Usage errors (click's, or the copy of click that typer vendors) know how to show themselves.
        show, code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(code, int):
            show()
            sys.exit(code)
        raise
    if code == 130:  # typer turns Ctrl-C into exit code 130 and, without standalone mode, returns it
        typer.echo("interrupted", err=True)
    if isinstance(code, int) and code:
        sys.exit(code)
