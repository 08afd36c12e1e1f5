"""``gqr serve``: run the routing service (extra ``serve``)."""

from __future__ import annotations

import copy
from pathlib import Path

import typer

LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


def serve(
    config: Path = typer.Option(..., "--config", "-c", help="Routes file (TOML); see examples/routes.toml."),
    model: str | None = typer.Option(
        None, "--model", "-m", help="Router model (name or path); replaces the model the routes file names."
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    log_level: str = typer.Option("info", "--log-level", help=f"Server log level: {', '.join(LOG_LEVELS)}."),
) -> None:
    """Serve POST /v1/classify and an OpenAI-compatible POST /v1/chat/completions that forwards each conversation
    to its route's upstream (or answers the rejection), plus GET /v1/models, /healthz, /stats, /metrics and a
    playground page at /."""
    if log_level.lower() not in LOG_LEVELS:
        raise typer.BadParameter(
            f"expected one of {', '.join(LOG_LEVELS)}, got {log_level!r}", param_hint="--log-level"
        )
    from gqr._extras import require

    uvicorn = require("uvicorn", "serve")
    from gqr.serve import Routes, create_app

    routes = Routes.from_toml(config, model=model)
    app = create_app(routes)
    typer.echo(f"gqr serve: {routes!r} on http://{host}:{port}", err=True)
    # Keep idle client connections longer than clients and load balancers do (often 5 to 60 s), so that the client
    # closes first and never sends a request on a connection the server is closing.
    # Logs, access log included, go to stderr: stdout stays free for the commands a shell script runs beside it.
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["handlers"]["access"]["stream"] = "ext://sys.stderr"
    uvicorn.run(app, host=host, port=port, log_level=log_level.lower(), timeout_keep_alive=65, log_config=log_config)
