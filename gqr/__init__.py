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
    "Router",
    "__version__",
    "available_models",
    "load",
]

_LAZY = {"Router", "load", "available_models"}


def __getattr__(name: str) -> Any:
    # The router pulls in onnxruntime; import it on first use so `import gqr` stays light.
    if name in _LAZY:
        from gqr import _router

        return getattr(_router, name)
    raise AttributeError(f"module 'gqr' has no attribute {name!r}")
