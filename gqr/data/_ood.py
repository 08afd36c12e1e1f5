"""The seven GQR-Bench OOD test sets (test only: never train or tune on them)."""

from __future__ import annotations

import csv
import functools
import os
from pathlib import Path

from gqr._errors import InvalidInputError
from gqr.data._example import Example
from gqr.data._paths import data_dir as _data_dir
from gqr.data._paths import data_file

__all__ = ["OOD_REASONS", "OOD_SIZES", "OOD_TEST_FILE", "OOD_TEST_SETS", "load_ood_test"]

OOD_TEST_SETS: tuple[str, ...] = (
    "jigsaw",
    "olid",
    "hate_xplain",
    "hate_speech_slovak",
    "dkhate",
    "web_questions",
    "ml_questions",
)
OOD_SIZES: dict[str, int] = {
    "jigsaw": 3214,
    "olid": 860,
    "hate_xplain": 5935,
    "hate_speech_slovak": 959,
    "dkhate": 329,
    "web_questions": 2032,
    "ml_questions": 128,
}
OOD_REASONS: dict[str, str] = {
    "jigsaw": "unsafe",
    "olid": "unsafe",
    "hate_xplain": "unsafe",
    "hate_speech_slovak": "other_language",
    "dkhate": "other_language",
    "web_questions": "off_topic",
    "ml_questions": "off_topic",
}
OOD_TEST_FILE = "gqr_ood_eval/ood_eval.csv"
_RENAME = {"tuke_sk": "hate_speech_slovak", "dkk": "dkhate"}


def load_ood_test(data_dir: str | os.PathLike[str] | None = None) -> list[Example]:
    """Return the 13,457 GQR-Bench OOD test texts (label ``"ood"``), in file order.

    Read from ``gqr_ood_eval/ood_eval.csv`` (the benchmark author's own copy); ``dataset`` is the GQR name
    (one of :data:`OOD_TEST_SETS`) and ``reason`` its rejection reason. Texts are not cleaned.
    """
    return list(_load(_data_dir(data_dir).resolve()))


@functools.cache
def _load(root: Path) -> tuple[Example, ...]:
    path = data_file(root, OOD_TEST_FILE, "the GQR-Bench OOD test sets (CSV with columns prompt,label,dataset)")
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or not {"prompt", "dataset"} <= set(reader.fieldnames):
            raise InvalidInputError(f"{path}: expected columns prompt,label,dataset, got {reader.fieldnames}")
        rows = [(_RENAME.get(r["dataset"], r["dataset"]), r["prompt"]) for r in reader]
    got: dict[str, int] = {}
    for name, _ in rows:
        got[name] = got.get(name, 0) + 1
    if got != OOD_SIZES:
        raise InvalidInputError(f"{path}: expected the GQR-Bench OOD sets with sizes {OOD_SIZES}, got {got}")
    return tuple(Example(text, "ood", name, OOD_REASONS[name]) for name, text in rows)
