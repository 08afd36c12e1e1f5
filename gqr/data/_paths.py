"""Where the data lives: ``GQR_DATA_DIR`` (or an explicit path) and the files under it."""

from __future__ import annotations

import os
from pathlib import Path

from gqr._errors import DataNotFoundError

__all__ = ["ENV_VAR", "data_dir", "data_file"]

ENV_VAR = "GQR_DATA_DIR"


def data_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """Return the data root: ``path`` if given, else ``$GQR_DATA_DIR``.

    Raises :class:`~gqr.DataNotFoundError` when neither is set or the directory does not exist.
    """
    if path is None:
        value = os.environ.get(ENV_VAR, "").strip()
        if not value:
            raise DataNotFoundError(
                f"no data directory: set {ENV_VAR} to the folder holding the GQR data sources "
                "(e.g. gqr_ood_eval/ood_eval.csv), or pass data_dir=...; got an unset or empty variable"
            )
        path, origin = value, f"{ENV_VAR}={value!r}"
    else:
        origin = f"data_dir={os.fspath(path)!r}"
    root = Path(path).expanduser()
    if not root.is_dir():
        raise DataNotFoundError(
            f"data directory {root} ({origin}) does not exist or is not a directory; expected the folder holding "
            "the GQR data sources (e.g. gqr_ood_eval/ood_eval.csv)"
        )
    return root


def data_file(root: Path, relative: str, expected: str) -> Path:
    """Return ``root / relative`` or raise :class:`~gqr.DataNotFoundError` saying what the file should hold."""
    path = root / relative
    if not path.is_file():
        raise DataNotFoundError(f"missing data file {path}: expected {expected}")
    return path
