"""A loaded model: its validated card, its featurizer and one onnxruntime session (contract C).

The ONNX file is read once, checked against the card's sha256 (and size) and handed to onnxruntime as bytes, so
the session runs exactly the bytes that were checked.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from gqr._decision import DOMAINS
from gqr._errors import ModelIntegrityError
from gqr._policy import REJECT_OUTPUTS

__all__ = ["FORMAT_VERSION", "Model", "read_card"]

FORMAT_VERSION = 1
_OUTPUT = "scores"


def read_card(path: Path) -> dict[str, Any]:
    """Read and validate a model card (contract C); :class:`ModelIntegrityError` says what is wrong."""
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
    missing = [key for key in ("name", "outputs", "thresholds", "featurizer", "onnx") if key not in card]
    if missing:
        raise ModelIntegrityError(f"model card {str(path)!r} lacks {missing}")
    outputs = card["outputs"]
    extra = outputs[len(DOMAINS) :] if isinstance(outputs, list) else None
    if (
        not isinstance(outputs, list)
        or tuple(outputs[: len(DOMAINS)]) != DOMAINS
        or len(set(outputs)) != len(outputs)
        or any(o not in REJECT_OUTPUTS for o in extra or ())
    ):
        raise ModelIntegrityError(
            f"model card {str(path)!r}: outputs must be {list(DOMAINS)} followed by distinct ones of "
            f"{list(REJECT_OUTPUTS)}, got {outputs!r}"
        )
    thresholds = card["thresholds"]
    if not isinstance(thresholds, dict) or not all(
        isinstance(thresholds.get(d), int | float) and 0.0 <= thresholds[d] <= 1.0 for d in DOMAINS
    ):
        raise ModelIntegrityError(
            f"model card {str(path)!r}: thresholds must give each of {list(DOMAINS)} a number in [0, 1], "
            f"got {thresholds!r}"
        )
    onnx = card["onnx"]
    if not isinstance(onnx, dict) or not isinstance(onnx.get("file"), str) or not isinstance(onnx.get("sha256"), str):
        raise ModelIntegrityError(f"model card {str(path)!r}: onnx must hold 'file' and 'sha256', got {onnx!r}")
    return card


class Model:
    """A model ready to score: ``scores(ids, weights)`` runs the ONNX graph on featurized input.

    Attributes: ``name``, ``card`` (the card as a dict), ``outputs``, ``thresholds``, ``featurizer``,
    ``onnx_path``, ``size_bytes`` (size of the ONNX file).
    """

    def __init__(self, card_path: Path) -> None:
        import onnxruntime as ort

        from gqr._featurize import Featurizer

        self.card = read_card(card_path)
        self.name: str = self.card["name"]
        self.outputs: list[str] = list(self.card["outputs"])
        self.thresholds: dict[str, float] = {d: float(self.card["thresholds"][d]) for d in DOMAINS}
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
        self.featurizer = Featurizer.from_dict(self.card["featurizer"])

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self._session = ort.InferenceSession(blob, options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types for malformed graphs
            raise ModelIntegrityError(f"onnxruntime cannot load {str(self.onnx_path)!r}: {exc}") from exc
        # InferenceSession.run checks the input names on every call (about 2 µs of a 10 µs run); they are checked
        # once in _check_signature, so the hot path calls the underlying session when onnxruntime has one.
        self._run = getattr(self._session, "_sess", self._session).run
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
