"""Serve and route (extra ``serve``): an HTTP service that forwards each query to its route's LLM endpoint.

>>> from gqr.serve import Routes, Upstream
>>> routes = Routes.from_toml("routes.toml")                 # doctest: +SKIP
>>> target = routes.route("Can my landlord keep my deposit?")  # doctest: +SKIP
>>> isinstance(target, Upstream), target.chat_url            # doctest: +SKIP
(True, 'http://127.0.0.1:8100/v1/chat/completions')

:class:`Routes` and the config types need pydantic; :func:`create_app` (the ASGI app that ``gqr serve`` runs)
imports starlette and httpx on first use. All come with the ``serve`` extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gqr._extras import require

require("pydantic", "serve")  # the config types are pydantic models

from gqr.serve._config import DEFAULT_MESSAGES, Limits, Rejection, Upstream, default_messages, read_config  # noqa: E402
from gqr.serve._conversation import CHECKS, Verdict  # noqa: E402
from gqr.serve._routes import Routes  # noqa: E402

if TYPE_CHECKING:
    from gqr.serve._app import create_app

__all__ = [
    "CHECKS",
    "DEFAULT_MESSAGES",
    "Limits",
    "Rejection",
    "Routes",
    "Upstream",
    "Verdict",
    "create_app",
    "default_messages",
    "read_config",
]


def __getattr__(name: str) -> Any:
    # The web stack is optional: import it only when the app is asked for.
    if name == "create_app":
        require("starlette", "serve")
        require("httpx", "serve")
        from gqr.serve import _app

        return _app.create_app
    raise AttributeError(f"module 'gqr.serve' has no attribute {name!r}")
