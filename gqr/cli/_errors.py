"""Turn gqr errors into one clear line on stderr and a non-zero exit code (no traceback)."""

from __future__ import annotations

import sys

import typer

from gqr._errors import GQRError


def run(app: typer.Typer) -> None:
    try:
        app(standalone_mode=False)
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
    except Exception as exc:  # click usage errors come here too
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
