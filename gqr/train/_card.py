"""Writing a trained model as ``<name>.onnx`` + ``<name>.json`` (the card; the model contract is in
:mod:`gqr._runtime`)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from gqr._errors import InvalidInputError
from gqr._families import FAMILIES, VARIANTS
from gqr._policy import check_outputs
from gqr._runtime import card_sha256
from gqr._version import __version__

__all__ = [
    "FAMILIES",
    "FORMAT_VERSION",
    "VARIANTS",
    "make_card",
    "seal_card",
    "sha256_of",
    "update_bench",
    "write_model",
]

FORMAT_VERSION = 1
_CARD_FAMILIES = (*FAMILIES, "routes")  # and a model of the user's own routes (not trained by train())


def make_card(
    *,
    name: str,
    family: str,
    variant: str,
    description: str,
    outputs: Sequence[str],
    thresholds: Mapping[str, float],
    featurizer: Mapping[str, Any],
    training: Mapping[str, Any],
    bench: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A card dict (without its ``onnx`` entry, which :func:`write_model` fills in), checked against the model
    contract."""
    if family not in _CARD_FAMILIES or variant not in VARIANTS:
        raise InvalidInputError(
            f"family must be one of {list(_CARD_FAMILIES)} and variant one of {list(VARIANTS)}, "
            f"got {family!r} and {variant!r}"
        )
    outputs = list(outputs)
    routes = check_outputs(outputs)
    if variant == "strict" and len(outputs) != len(routes):
        raise InvalidInputError(f"a strict model outputs only its routes {list(routes)}, got {outputs}")
    if sorted(thresholds) != sorted(routes) or not all(0.0 <= float(t) <= 1.0 for t in thresholds.values()):
        raise InvalidInputError(
            f"thresholds must map each of {list(routes)} to a number in [0, 1], got {dict(thresholds)}"
        )
    return {
        "format_version": FORMAT_VERSION,
        "name": name,
        "family": family,
        "variant": variant,
        "gqr_version": __version__,
        "description": description,
        "outputs": outputs,
        "thresholds": {r: round(float(thresholds[r]), 6) for r in routes},
        "featurizer": dict(featurizer),
        "training": dict(training),
        "bench": dict(bench or {}),
    }


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_model(model: Any, card: Mapping[str, Any], out_dir: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Write ``model`` (an ``onnx.ModelProto`` or its bytes) and ``card`` into ``out_dir`` as ``<name>.onnx/.json``.

    The card gets its ``onnx`` entry (file, sha256, bytes) and, last, its ``card_sha256`` (:func:`seal_card`).
    Returns ``(onnx_path, card_path)``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = card["name"]
    blob = model if isinstance(model, bytes) else model.SerializeToString()
    onnx_path, card_path = out / f"{name}.onnx", out / f"{name}.json"
    onnx_path.write_bytes(blob)
    onnx = {"file": onnx_path.name, "sha256": hashlib.sha256(blob).hexdigest(), "bytes": len(blob)}
    # hashed as it will be read back (tuples as lists, numpy floats as floats)
    full = seal_card(json.loads(json.dumps({**card, "onnx": onnx}, ensure_ascii=False)))
    card_path.write_text(json.dumps(full, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return onnx_path, card_path


def seal_card(card: Mapping[str, Any]) -> dict[str, Any]:
    """``card`` with its ``card_sha256`` set (as its last key) to :func:`gqr._runtime.card_sha256` of the rest."""
    out = {key: value for key, value in card.items() if key != "card_sha256"}
    out["card_sha256"] = card_sha256(out)
    return out


def update_bench(card_path: str | os.PathLike[str], bench: Mapping[str, Any]) -> None:
    """Replace the ``bench`` entry of a written card (the ONNX file, its sha256 and the card's ``card_sha256``,
    which leaves ``bench`` out, stay valid)."""
    path = Path(card_path)
    card = json.loads(path.read_text(encoding="utf-8"))
    card["bench"] = dict(bench)
    path.write_text(json.dumps(card, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
