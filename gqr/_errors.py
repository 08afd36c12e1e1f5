"""The error tree: every real error gqr raises derives from :class:`GQRError`.

Rejections are not errors: a rejected query is a :class:`gqr.Decision` with ``route=None``.
"""

from __future__ import annotations

__all__ = [
    "ClassifierOutputError",
    "DataNotFoundError",
    "DataUnavailableError",
    "GQRError",
    "InvalidInputError",
    "MissingExtraError",
    "ModelIntegrityError",
    "ModelNotFoundError",
]


class GQRError(Exception):
    """Root of all gqr errors."""


class InvalidInputError(GQRError, ValueError):
    """An argument, file or row has the wrong shape or content."""


class DataNotFoundError(GQRError, FileNotFoundError):
    """A dataset directory or file is missing (check ``GQR_DATA_DIR``)."""


class DataUnavailableError(GQRError, ConnectionError):
    """Data could not be fetched from a remote source (for example, no internet)."""


class ModelNotFoundError(GQRError, FileNotFoundError):
    """No model of that name or path; the message lists the available ones."""


class ModelIntegrityError(GQRError, ValueError):
    """A model file does not match its card (sha256 mismatch, bad shape)."""


class ClassifierOutputError(GQRError, ValueError):
    """A classifier returned the wrong number of labels or an unknown label."""


class MissingExtraError(GQRError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""
