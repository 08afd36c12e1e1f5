"""Readers of the team-written training files shipped in ``gqr/data/team/`` (read whatever the data root).

``short_questions.csv`` (``text,label,topic``: short in-domain questions), ``harm_train.csv`` and
``roleplay_train.csv`` (``text,label,reason``: label ``ood``). Written (partly generated) by the gqr team; the pool
drops every text that is a near-duplicate of a short-query dev-set query (:class:`~gqr.data._near.DevSetGuard`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from gqr._decision import DOMAINS
from gqr._errors import DataNotFoundError, InvalidInputError

__all__ = ["TEAM_DIR", "TEAM_FILES", "TEAM_ID_READERS", "TEAM_OUTLIER_READERS", "read_team_file"]

TEAM_DIR: Path = Path(__file__).with_name("team")
# dataset name -> (file name, header)
TEAM_FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "team_short_questions": ("short_questions.csv", ("text", "label", "topic")),
    "team_harm": ("harm_train.csv", ("text", "label", "reason")),
    "team_roleplay": ("roleplay_train.csv", ("text", "label", "reason")),
}
_REASONS = frozenset({"off_topic", "unsafe", "other_language"})

Item = tuple[str, str | None, str]


def read_team_file(name: str, folder: Path | None = None) -> Iterator[Item]:
    """``(label, reason, text)`` of every row of the team file of dataset ``name``.

    Raises :class:`~gqr.DataNotFoundError` when the file is missing and :class:`~gqr.InvalidInputError` on a wrong
    header, a wrong number of fields, an empty text, or a label / reason outside the file's contract.
    """
    file, header = TEAM_FILES[name]
    path = (TEAM_DIR if folder is None else folder) / file
    if not path.is_file():
        raise DataNotFoundError(f"team-written training file missing: {path} (CSV {','.join(header)})")
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    if not rows or tuple(field.strip() for field in rows[0]) != header:
        raise InvalidInputError(f"{path}: header {rows[0] if rows else None!r}, expected {','.join(header)}")
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue  # blank line
        if len(row) != len(header):
            raise InvalidInputError(f"{path}:{line}: {len(row)} fields, expected {len(header)}")
        text, label, third = (field.strip() for field in row)
        if not text:
            raise InvalidInputError(f"{path}:{line}: empty text")
        if header[2] == "topic":
            if label not in DOMAINS:
                raise InvalidInputError(f"{path}:{line}: label {label!r}, expected one of {sorted(DOMAINS)}")
            yield label, None, text
        else:
            if label != "ood" or third not in _REASONS:
                raise InvalidInputError(
                    f"{path}:{line}: label {label!r} / reason {third!r}, expected ood / one of {sorted(_REASONS)}"
                )
            yield label, third, text


def _reader(name: str):
    def read(_root: Path) -> Iterator[Item]:  # team files ship in the package, not under the data root
        return read_team_file(name)

    return read


TEAM_ID_READERS = {"team_short_questions": _reader("team_short_questions")}
TEAM_OUTLIER_READERS = {"team_harm": _reader("team_harm"), "team_roleplay": _reader("team_roleplay")}
