"""Route files: a user's own routes, each a name and a few example queries (stdlib only).

A route file is one of:

- **TOML** (``.toml``): one ``[routes.<name>]`` table per route with ``examples`` (a list of strings), an optional
  ``description`` and an optional ``upstream`` table (the endpoint ``gqr serve`` sends the route's queries to). The
  file's other top-level tables (``[router]``, ``[rejections]``, ``[limits]``) are for ``gqr serve`` and are not read
  here, so one file both trains and serves;
- **CSV** (``.csv``): a header with the columns ``text`` and ``route`` (others are ignored), one example per row;
- **JSONL** (``.jsonl``): one object per line with the strings ``text`` and ``route`` (other keys are ignored).

In Python, a mapping ``{route: [examples]}`` works as well. Files must be UTF-8. The same readers give the labelled
rows of a ``gqr bench --data`` file, where an empty route means "must be rejected".
"""

from __future__ import annotations

import csv
import io
import json
import os
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gqr._decision import check_route_name
from gqr._errors import DataNotFoundError, InvalidInputError
from gqr._log import logger

if TYPE_CHECKING:
    from gqr._router import Router

__all__ = ["FORMATS", "MIN_EXAMPLES", "LabelledRow", "RouteSpec", "read_labelled", "read_routes", "train_routes"]

MIN_EXAMPLES = 5
"""Fewest distinct examples per route: the threshold is calibrated by 5-fold cross-validation over the examples
(``FOLDS`` in :mod:`gqr.train._routes`), and every fold needs at least one example of every route."""

FORMATS: tuple[str, ...] = (".toml", ".csv", ".jsonl")
"""The route file formats, by file extension."""

_ROUTE_KEYS = ("examples", "description", "upstream")


@dataclass(frozen=True, slots=True)
class RouteSpec:
    """One route: its ``name``, its distinct ``examples`` (in file order), and from a TOML file an optional
    ``description`` and the ``upstream`` table that ``gqr serve`` reads (kept as written; serve checks it)."""

    name: str
    examples: tuple[str, ...]
    description: str | None = None
    upstream: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class LabelledRow:
    """One example of a route or eval file: its text, its route (``None``: must be rejected) and where it is
    (``"eval.csv line 4"``), for error messages."""

    text: str
    route: str | None
    where: str


def read_routes(source: str | os.PathLike[str] | Mapping[str, Sequence[str]]) -> dict[str, RouteSpec]:
    """The routes of a route file (``.toml``, ``.csv``, ``.jsonl``) or of a mapping ``{route: [examples]}``, in
    the order they first appear.

    One route is allowed: a single-topic guard, which routes the queries like its examples and rejects the rest.
    Duplicate examples within a route (equal after Unicode NFKC, case folding and whitespace collapsing) are
    dropped with a logged warning that counts them; nothing else is changed or dropped (texts lose only their
    leading and trailing whitespace).

    Raises :class:`gqr.DataNotFoundError` for a missing file and :class:`gqr.InvalidInputError`, naming the file,
    the route and the line, row or item, for: an unknown format; a file that is not UTF-8 (with the byte offset);
    malformed TOML, CSV or JSON (a missing column or key, a bad line); no route; a route name that is invalid or
    names a rejection (``ood``, ``off_topic``, ``unsafe``, ...); an empty text; a route with fewer than
    :data:`MIN_EXAMPLES` distinct examples; the same text under two routes.
    """
    meta: dict[str, dict[str, Any]] = {}
    if isinstance(source, Mapping):
        origin, groups = "routes", _mapping_groups(source)
    elif Path(source).suffix.lower() == ".toml":
        origin = str(source)
        groups, meta = _toml_groups(_read_text(Path(source), FORMATS), origin)
    else:
        origin, groups = str(source), {}
        for row in read_labelled(source, unlabelled=False):
            groups.setdefault(row.route or "", []).append(row)
    return _build(groups, meta, origin)


def train_routes(
    source: str | os.PathLike[str] | Mapping[str, Sequence[str]],
    out: str | os.PathLike[str],
    *,
    name: str | None = None,
    threshold: float | None = None,
    seed: int = 0,
) -> Router:
    """Train a guarded router for your own routes, write it to ``out`` and return it loaded.

    ``source`` is a route file or a mapping ``{route: [examples]}``, read and checked by :func:`read_routes`.
    The model is ``<out>/<name>.onnx`` plus its card ``<out>/<name>.json``; ``name`` defaults to the name of the
    ``out`` directory. It routes to your routes and rejects the rest with a reason (``off_topic``,
    ``unsafe``, ``other_language`` or ``low_confidence``); ``threshold`` (in [0, 1]) replaces the threshold
    calibrated from the examples. The same ``source`` and ``seed`` give the same model.
    Needs the ``train`` extra (raises :class:`gqr.MissingExtraError` naming it).
    """
    if threshold is not None and (
        isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0.0 <= threshold <= 1.0
    ):
        raise InvalidInputError(f"threshold: expected a number in [0, 1] or None, got {threshold!r}")
    routes = read_routes(source)
    try:
        from gqr.train._routes import fit_routes
    except ModuleNotFoundError as exc:  # a library of the train extra is missing (not a module of gqr's own)
        if exc.name and exc.name.partition(".")[0] != "gqr":
            from gqr._extras import require

            require(exc.name, "train")
        raise
    out_dir = Path(out)
    _, card = fit_routes(
        {route: spec.examples for route, spec in routes.items()},
        out_dir,
        name=name or out_dir.resolve().name,
        threshold=threshold,
        seed=seed,
        descriptions={route: spec.description for route, spec in routes.items() if spec.description},
    )
    from gqr._router import load

    return load(card)


def read_labelled(source: str | os.PathLike[str], *, unlabelled: bool = True) -> list[LabelledRow]:
    """The ``text, route`` rows of a CSV or JSONL file, in order; with ``unlabelled`` an empty (or, in JSONL,
    null) route is a row that must be rejected (``route=None``), else it is an error.

    Texts must be non-empty and route names valid; raises as :func:`read_routes` does.
    """
    path = Path(source)
    text = _read_text(path, (".csv", ".jsonl") if unlabelled else FORMATS)
    cells = _csv_cells(text, str(path)) if path.suffix.lower() == ".csv" else _jsonl_cells(text, str(path))
    rows = []
    for value, route, where in cells:
        if not route and not unlabelled:
            raise InvalidInputError(
                f"{where}: expected a route name, got an empty route (an empty route, 'must be rejected', "
                "is for gqr bench --data files only)"
            )
        rows.append(LabelledRow(_text(value, where), _route_name(route, where) if route else None, where))
    if not rows:
        raise InvalidInputError(f"{path}: expected at least one example, got none")
    return rows


def _read_text(path: Path, formats: tuple[str, ...]) -> str:
    """The file's text, after checking its format (by extension) and that it is UTF-8 (a BOM is dropped)."""
    if path.suffix.lower() not in formats:
        got = repr(path.suffix) if path.suffix else "no extension"
        raise InvalidInputError(f"{path}: unknown format ({got}); expected a file ending in {' or '.join(formats)}")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataNotFoundError(f"expected a file at {str(path)!r}, found none") from None
    except IsADirectoryError:
        raise InvalidInputError(f"{path}: expected a file, got a directory") from None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InvalidInputError(
            f"{path}: expected UTF-8 text, got the byte {data[exc.start]:#04x} at byte offset {exc.start} "
            f"(line {line}); save the file as UTF-8"
        ) from None


def _toml_groups(text: str, origin: str) -> tuple[dict[str, list[LabelledRow]], dict[str, dict[str, Any]]]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError(f"{origin}: expected TOML, got invalid TOML: {exc}") from None
    routes = doc.get("routes")
    if not isinstance(routes, dict) or not routes:
        got = "nothing" if routes is None else repr(routes)
        raise InvalidInputError(
            f"{origin}: expected one [routes.<name>] table per route (with examples = [...]), got {got} under "
            f"'routes' (top-level keys: {sorted(doc)})"
        )
    groups, meta = {}, {}
    for name, table in routes.items():
        where = f"{origin} [routes.{name}]"
        if not isinstance(table, dict):
            raise InvalidInputError(f"{where}: expected a table with examples = [...], got {table!r}")
        unknown = sorted(set(table) - set(_ROUTE_KEYS))
        if unknown:
            raise InvalidInputError(f"{where}: unknown key(s) {unknown}; expected only {list(_ROUTE_KEYS)}")
        examples, description, upstream = table.get("examples"), table.get("description"), table.get("upstream")
        if not isinstance(examples, list):
            got = "nothing" if examples is None else f"{type(examples).__name__} {examples!r}"
            raise InvalidInputError(f"{where} examples: expected a list of strings, got {got}")
        if description is not None and not isinstance(description, str):
            raise InvalidInputError(f"{where} description: expected a string, got {description!r}")
        if upstream is not None and not isinstance(upstream, dict):
            raise InvalidInputError(f"{where} upstream: expected a table (base_url, model, ...), got {upstream!r}")
        groups[_route_name(name, where)] = _rows(examples, name, f"{where} examples")
        meta[name] = {"description": description, "upstream": upstream}
    return groups, meta


def _mapping_groups(routes: Mapping[str, Sequence[str]]) -> dict[str, list[LabelledRow]]:
    groups = {}
    for name, examples in routes.items():
        where = f"routes[{name!r}]"
        if not isinstance(name, str):
            raise InvalidInputError(f"routes: expected route names as strings, got {name!r}")
        if isinstance(examples, str | bytes) or not isinstance(examples, Sequence):
            raise InvalidInputError(f"{where}: expected a list of example strings, got {type(examples).__name__}")
        groups[_route_name(name, where)] = _rows(examples, name, where)
    return groups


def _rows(examples: Sequence[Any], route: str, where: str) -> list[LabelledRow]:
    return [LabelledRow(_text(value, f"{where}[{i}]"), route, f"{where}[{i}]") for i, value in enumerate(examples)]


def _csv_cells(text: str, origin: str) -> list[tuple[Any, Any, str]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    cells, line = [], 1  # line: where the record being read starts
    try:
        columns = [c.strip() for c in next(reader, None) or ()]
        missing = [c for c in ("text", "route") if c not in columns]
        if missing:
            raise InvalidInputError(
                f"{origin} line 1: expected a header with the columns 'text' and 'route', got {columns} "
                f"(missing {missing})"
            )
        text_at, route_at = columns.index("text"), columns.index("route")
        line = reader.line_num + 1
        for row in reader:
            where = f"{origin} line {line}"
            line = reader.line_num + 1
            if not row:
                continue  # a blank line
            if len(row) != len(columns):
                raise InvalidInputError(
                    f"{where}: expected {len(columns)} fields ({', '.join(columns)}), got {len(row)}: {row!r} "
                    "(quote a text that holds a comma)"
                )
            cells.append((row[text_at], row[route_at].strip(), where))
    except csv.Error as exc:
        raise InvalidInputError(f"{origin} line {line}: malformed CSV in the record starting here: {exc}") from None
    return cells


def _jsonl_cells(text: str, origin: str) -> list[tuple[Any, Any, str]]:
    cells = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        where = f"{origin} line {number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"{where}: expected one JSON object per line, got invalid JSON ({exc})") from None
        if not isinstance(obj, dict) or "text" not in obj or "route" not in obj:
            raise InvalidInputError(f'{where}: expected an object with "text" and "route", got {line.strip()[:200]}')
        route = obj["route"]
        if route is not None and not isinstance(route, str):
            raise InvalidInputError(f"{where}: expected route as a string, got {route!r}")
        cells.append((obj["text"], (route or "").strip(), where))
    return cells


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"{where}: expected the example as a string, got {type(value).__name__} {value!r}")
    if not value.strip():
        raise InvalidInputError(f"{where}: expected a non-empty example text, got {value!r}")
    return value.strip()


def _route_name(name: str, where: str) -> str:
    try:
        check_route_name(name)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{where}: {exc}") from None
    return name


def _key(text: str) -> str:
    """What two examples are compared by: NFKC, case folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _build(groups: dict[str, list[LabelledRow]], meta: dict[str, dict[str, Any]], origin: str) -> dict[str, RouteSpec]:
    if not groups:
        raise InvalidInputError(f"{origin}: expected at least one route, got none")
    seen: dict[str, LabelledRow] = {}  # normalized text -> its first row
    examples: dict[str, list[str]] = {}
    dropped: dict[str, int] = {}
    for name, rows in groups.items():
        kept = examples[name] = []
        for row in rows:
            first = seen.setdefault(_key(row.text), row)
            if first is row:
                kept.append(row.text)
            elif first.route == name:
                dropped[name] = dropped.get(name, 0) + 1
            else:
                raise InvalidInputError(
                    f"{origin}: the same text is under two routes, {first.route!r} ({first.where}) and {name!r} "
                    f"({row.where}): {row.text!r}; keep it under one route"
                )
    for name, kept in examples.items():
        if len(kept) < MIN_EXAMPLES:
            raise InvalidInputError(
                f"{origin}: route {name!r} has {len(kept)} distinct example(s); expected at least {MIN_EXAMPLES} "
                f"(the threshold is calibrated by {MIN_EXAMPLES}-fold cross-validation over the examples, and every "
                "fold needs an example of every route)"
            )
    if dropped:
        logger.warning(
            "%s: dropped %d duplicate example(s) within a route (%s)",
            origin,
            sum(dropped.values()),
            ", ".join(f"{name}: {n}" for name, n in dropped.items()),
        )
    none: dict[str, Any] = {"description": None, "upstream": None}
    return {name: RouteSpec(name, tuple(kept), **meta.get(name, none)) for name, kept in examples.items()}
