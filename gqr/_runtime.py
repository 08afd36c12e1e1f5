"""A loaded model: its validated card, its featurizer and one onnxruntime session.

The model contract is what every trainer writes and this module checks:

- the ONNX graph has two inputs, ``ids`` (int64, ``[batch, length]``: featurizer ids, 0 = padding) and
  ``weights`` (float32, same shape: the featurizer's TF-IDF weights, 0 for padding), and an output ``scores``
  (float32, ``[batch, n_outputs]``: one score in [0, 1] per card output);
- the card ``<name>.json`` next to it is one UTF-8 JSON object with ``format_version`` (:data:`FORMAT_VERSION`),
  ``name``, ``outputs`` (the routes: ``law``, ``finance``, ``healthcare`` for the built-in models, names checked by
  :func:`gqr._decision.check_route_name` for a custom-route model; then any of ``off_topic``, ``unsafe``,
  ``other_language``), ``thresholds`` (each route to a number in [0, 1]), ``featurizer``
  (:meth:`gqr._featurize.Featurizer.to_dict`), ``onnx`` (``file``, its ``sha256``, ``bytes``) and
  ``card_sha256`` (:func:`card_sha256`); descriptive fields (``family``, ``variant``, ``description``,
  ``gqr_version``, ``training``, ``bench``) are optional.

The card is checked against its own ``card_sha256`` first. The ONNX file is read once, checked against the card's
``sha256`` and handed to onnxruntime as bytes, so the session runs exactly the bytes that were checked.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from gqr._errors import InvalidInputError, ModelIntegrityError
from gqr._policy import check_outputs, routes_of

__all__ = ["CARD_UNSEALED", "FORMAT_VERSION", "Model", "card_sha256", "read_card"]

FORMAT_VERSION = 1
CARD_UNSEALED: tuple[str, ...] = ("card_sha256", "bench", "training")
"""Card fields :func:`card_sha256` leaves out: the hash itself, and the annotations gqr adds to a written card
(``bench`` by :func:`gqr.train.update_bench`, ``training.held_out`` by :func:`gqr.train._heldout.store_held_out`)."""
_OUTPUT = "scores"


def card_sha256(card: Mapping[str, Any]) -> str:
    """Hex sha256 of a card's canonical JSON (sorted keys, no spaces, ASCII with ``\\u`` escapes) without the
    :data:`CARD_UNSEALED` fields: everything that decides (outputs, thresholds, featurizer, the ONNX file's sha256)
    and names the model."""
    sealed = {key: value for key, value in card.items() if key not in CARD_UNSEALED}
    return hashlib.sha256(json.dumps(sealed, sort_keys=True, separators=(",", ":")).encode("ascii")).hexdigest()


def read_card(path: Path) -> dict[str, Any]:
    """Read and validate a model card (the model contract above); :class:`ModelIntegrityError` says what is wrong."""
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelIntegrityError(f"model card {str(path)!r} is not UTF-8 JSON: {exc}") from exc
    if not isinstance(card, dict):
        raise ModelIntegrityError(f"model card {str(path)!r} must be a JSON object, got {type(card).__name__}")
    if card.get("format_version") != FORMAT_VERSION:
        raise ModelIntegrityError(
            f"model card {str(path)!r}: expected format_version {FORMAT_VERSION}, got {card.get('format_version')!r}"
        )
    stored, digest = card.get("card_sha256"), card_sha256(card)
    if not isinstance(stored, str):
        raise ModelIntegrityError(
            f"model card {str(path)!r}: expected a 'card_sha256' string, got {stored!r} (a card from before cards "
            "were hashed: write it again with gqr.train.write_model(onnx_bytes, card, out_dir))"
        )
    if stored.lower() != digest:
        raise ModelIntegrityError(
            f"model card {str(path)!r} does not match its card_sha256: expected {stored}, got {digest}; refusing to "
            "load a modified card"
        )
    missing = [key for key in ("name", "outputs", "thresholds", "featurizer", "onnx") if key not in card]
    if missing:
        raise ModelIntegrityError(f"model card {str(path)!r} lacks {missing}")
    try:
        routes = check_outputs(card["outputs"])
    except InvalidInputError as exc:
        raise ModelIntegrityError(f"model card {str(path)!r}: {exc}") from exc
    thresholds = card["thresholds"]
    if not isinstance(thresholds, dict) or not all(
        isinstance(thresholds.get(r), int | float) and 0.0 <= thresholds[r] <= 1.0 for r in routes
    ):
        raise ModelIntegrityError(
            f"model card {str(path)!r}: thresholds must give each of {list(routes)} a number in [0, 1], "
            f"got {thresholds!r}"
        )
    onnx = card["onnx"]
    if not isinstance(onnx, dict) or not isinstance(onnx.get("file"), str) or not isinstance(onnx.get("sha256"), str):
        raise ModelIntegrityError(f"model card {str(path)!r}: onnx must hold 'file' and 'sha256', got {onnx!r}")
    return card


class Model:
    """A model ready to score: ``scores(ids, weights)`` runs the ONNX graph on featurized input.

    Attributes: ``name``, ``card`` (the card as a dict), ``outputs``, ``routes``, ``thresholds``, ``featurizer``,
    ``onnx_path``, ``size_bytes`` (size of the ONNX file).
    """

    def __init__(self, card_path: Path) -> None:
        import onnxruntime as ort

        from gqr._featurize import Featurizer

        self.card = read_card(card_path)
        self.name: str = self.card["name"]
        self.outputs: list[str] = list(self.card["outputs"])
        self.routes: tuple[str, ...] = routes_of(self.outputs)
        self.thresholds: dict[str, float] = {r: float(self.card["thresholds"][r]) for r in self.routes}
        self.onnx_path = card_path.parent / self.card["onnx"]["file"]
        try:
            blob = self.onnx_path.read_bytes()
        except FileNotFoundError as exc:
            raise ModelIntegrityError(
                f"model card {str(card_path)!r} names ONNX file {str(self.onnx_path)!r}, which does not exist"
            ) from exc
        self.size_bytes = len(blob)
        digest = hashlib.sha256(blob).hexdigest()
        if digest != self.card["onnx"]["sha256"].lower():
            raise ModelIntegrityError(
                f"{str(self.onnx_path)!r} does not match its card: expected sha256 {self.card['onnx']['sha256']}, "
                f"got {digest}; refusing to load a modified model"
            )
        try:
            self.featurizer = Featurizer.from_dict(self.card["featurizer"])
        except (ValueError, KeyError, TypeError) as exc:  # a missing key, a wrong type, an invalid setting
            detail = f"lacks {exc}" if isinstance(exc, KeyError) else str(exc)
            raise ModelIntegrityError(f"model card {str(card_path)!r}: invalid featurizer: {detail}") from exc

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self._session = ort.InferenceSession(blob, options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types for malformed graphs
            raise ModelIntegrityError(f"onnxruntime cannot load {str(self.onnx_path)!r}: {exc}") from exc
        # The public run: as fast as the private binding it wraps (p50 7.88 vs 7.87 µs at batch 1, onnxruntime 1.32)
        self._run = self._session.run
        self._run_options = ort.RunOptions()
        self._check_signature()

    def scores(self, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Scores ``[batch, len(outputs)]`` for int64 ``ids`` and float32 ``weights`` of shape ``[batch, length]``."""
        return self._run(self._output_names, {"ids": ids, "weights": weights}, self._run_options)[0]

    def _check_signature(self) -> None:
        inputs = {i.name: i.type for i in self._session.get_inputs()}
        outputs = [o.name for o in self._session.get_outputs()]
        if inputs != {"ids": "tensor(int64)", "weights": "tensor(float)"} or _OUTPUT not in outputs:
            raise ModelIntegrityError(
                f"{str(self.onnx_path)!r}: expected inputs ids (int64) and weights (float) and an output "
                f"{_OUTPUT!r}, got inputs {inputs} and outputs {outputs}"
            )
        self._output_names = [_OUTPUT]
        probe = self.scores(np.zeros((1, 1), np.int64), np.zeros((1, 1), np.float32))
        if probe.shape != (1, len(self.outputs)) or probe.dtype != np.float32:
            raise ModelIntegrityError(
                f"{str(self.onnx_path)!r}: expected float32 scores of shape [batch, {len(self.outputs)}] for outputs "
                f"{self.outputs}, got {probe.dtype} {list(probe.shape)}"
            )

    def __repr__(self) -> str:
        return f"Model(name={self.name!r}, outputs={self.outputs}, onnx={str(self.onnx_path)!r})"
