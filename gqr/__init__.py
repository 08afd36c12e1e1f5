"""gqr: guarded query routing.

>>> import gqr
>>> router = gqr.load()
>>> router.classify("Is it legal for my employer to fire me without notice?").route
'law'

``import gqr`` is light: onnxruntime is imported by :func:`load`, training and LLM libraries only by the
features that need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gqr._decision import DOMAINS, LABELS, REASONS, Decision
from gqr._errors import (
    ClassifierOutputError,
    DataNotFoundError,
    DataUnavailableError,
    GQRError,
    InvalidInputError,
    MissingExtraError,
    ModelIntegrityError,
    ModelNotFoundError,
)
from gqr._protocol import Classifier
from gqr._version import __version__

if TYPE_CHECKING:
    from gqr._router import Router, available_models, load
    from gqr._routes import RouteSpec, read_routes, train_routes

__all__ = [
    "DOMAINS",
    "LABELS",
    "REASONS",
    "Classifier",
    "ClassifierOutputError",
    "DataNotFoundError",
    "DataUnavailableError",
    "Decision",
    "GQRError",
    "InvalidInputError",
    "MissingExtraError",
    "ModelIntegrityError",
    "ModelNotFoundError",
    "RouteSpec",
    "Router",
    "__version__",
    "available_models",
    "load",
    "read_routes",
    "train_routes",
]

# name -> module: the router pulls in onnxruntime, route files csv and tomllib; import them on first use so
# `import gqr` stays light.
_LAZY = {
    "Router": "_router",
    "load": "_router",
    "available_models": "_router",
    "RouteSpec": "_routes",
    "read_routes": "_routes",
    "train_routes": "_routes",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"gqr.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'gqr' has no attribute {name!r}")
