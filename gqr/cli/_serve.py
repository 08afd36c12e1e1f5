"""``gqr serve``: run the routing service (extra ``serve``)."""

from __future__ import annotations

import copy
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

LogLevel = StrEnum("LogLevel", "debug info warning error critical")


def serve(
    config: Annotated[Path, typer.Option("--config", "-c", help="Routes file (TOML); see examples/routes.toml.")],
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="Router model (name or path); replaces the model the routes file names."),
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    log_level: Annotated[LogLevel, typer.Option(case_sensitive=False, help="Server log level.")] = LogLevel.info,
) -> None:
    """Serve POST /v1/classify and an OpenAI-compatible POST /v1/chat/completions that forwards each conversation
    to its route's upstream (or answers the rejection), plus GET /v1/models, /healthz, /stats, /metrics and a
    playground page at /."""
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
    uvicorn.run(app, host=host, port=port, log_level=log_level.value, timeout_keep_alive=65, log_config=log_config)
