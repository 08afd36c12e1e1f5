"""The model families ``gqr train`` trains and their variants, listed once (light: the CLI's ``--help`` reads them
without importing the training code)."""

from __future__ import annotations

__all__ = ["FAMILIES", "VARIANTS"]

# family -> its trainer class ("module:Class", imported on use by gqr.train._pipeline); a new family is one line.
FAMILIES: dict[str, str] = {
    "widemlp": "gqr.train._widemlp:WideMLP",
    "fasttext": "gqr.train._fasttext:FastText",
    "svm": "gqr.train._svm:LinearSVM",
    "xgboost": "gqr.train._xgboost:XGBoost",
}
VARIANTS: tuple[str, ...] = ("strict", "guarded")
