"""Where models live, and how a name or a path becomes a model card.

A model is a pair ``<name>.json`` (the card) + ``<name>.onnx`` in a models directory. Directories are searched in
this order (the first one holding a name wins):

1. ``$GQR_MODELS_DIR`` when set;
2. ``<repository>/models`` for an editable install;
3. ``gqr/_shipped_models`` inside an installed wheel (the build copies ``models/`` there).

The default model is the one named in the first ``DEFAULT`` file (one line) found in that order.
"""

from __future__ import annotations

import os
from pathlib import Path

from gqr._errors import ModelNotFoundError

__all__ = ["MODELS_DIR_ENV", "available_models", "default_model", "find_card", "model_cards", "model_dirs"]

MODELS_DIR_ENV = "GQR_MODELS_DIR"
_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parent


def model_dirs() -> list[Path]:
    """The existing model directories, in search order."""
    dirs = []
    env = os.environ.get(MODELS_DIR_ENV)
    if env:
        path = Path(env).expanduser()
        if not path.is_dir():
            raise ModelNotFoundError(f"{MODELS_DIR_ENV} must name a directory of models, got {env!r}")
        dirs.append(path)
    if (_REPO / "pyproject.toml").is_file() and (_REPO / "models").is_dir():  # editable install / source tree
        dirs.append(_REPO / "models")
    if (_PACKAGE / "_shipped_models").is_dir():  # wheel
        dirs.append(_PACKAGE / "_shipped_models")
    return dirs


def model_cards() -> dict[str, Path]:
    """Map each available model name to its card, the first directory winning."""
    cards: dict[str, Path] = {}
    for directory in model_dirs():
        for card in sorted(directory.glob("*.json")):
            if card.with_suffix(".onnx").is_file():
                cards.setdefault(card.stem, card)
    return cards


def available_models() -> list[str]:
    """The names :func:`gqr.load` accepts, sorted."""
    return sorted(model_cards())


def default_model() -> str:
    """The name in the first ``DEFAULT`` file of the model directories."""
    for directory in model_dirs():
        marker = directory / "DEFAULT"
        if marker.is_file():
            name = marker.read_text(encoding="utf-8").strip()
            if name:
                return name
    raise ModelNotFoundError(f"no default model: no non-empty DEFAULT file in {_searched()}; {_available()}")


def find_card(name_or_path: str | os.PathLike[str] | None = None) -> Path:
    """The card for a model name, a path to a ``.json`` card or ``.onnx`` file, a path to a directory that holds
    one model (``gqr train --routes ... --out my-router/``), or the default model (``None``)."""
    if name_or_path is None:
        name_or_path = default_model()
    text = os.fspath(name_or_path)
    path = Path(text).expanduser()
    if path.is_dir():
        found = sorted(c.name for c in path.glob("*.json") if c.with_suffix(".onnx").is_file())
        if len(found) != 1:
            raise ModelNotFoundError(
                f"expected one model (<name>.json and <name>.onnx) in the directory {text!r}, found {len(found)}"
                + (f": {', '.join(found)}; name the card" if found else "")
            )
        return path / found[0]
    if path.suffix in {".json", ".onnx"} or os.sep in text or path.is_file():
        card = path.with_suffix(".json")
        if not card.is_file():
            raise ModelNotFoundError(f"expected a model card at {str(card)!r} (for {text!r}), found no such file")
        return card
    cards = model_cards()
    if text not in cards:
        raise ModelNotFoundError(f"unknown model {text!r}; {_available(cards)}")
    return cards[text]


def _searched() -> str:
    return ", ".join(str(d) for d in model_dirs()) or "no model directory (set GQR_MODELS_DIR)"


def _available(cards: dict[str, Path] | None = None) -> str:
    names = sorted(model_cards() if cards is None else cards)
    return f"available: {', '.join(names)}" if names else f"no models found in {_searched()}"
