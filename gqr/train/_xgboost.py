"""XGBoost: gradient-boosted trees (softmax over the outputs) on TF-IDF features with a small vocabulary.

XGBoost learns on the sparse feature matrix, where a feature absent from a text is *missing* (not zero). The ONNX
graph rebuilds that row: ``ScatterElements`` writes ``weights`` at ``ids`` into a ``[batch, n_features]`` row of NaN
(= missing; padding writes weight 0 into column 0, the padding id, which no tree uses); the trees, their base
margin and the softmax are onnxmltools' conversion of the booster (one ``TreeEnsembleClassifier``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, ClassVar

import numpy as np

from gqr._extras import require
from gqr.train._dataset import LabelledSet
from gqr.train._onnx import IDS, WEIGHTS, GraphBuilder
from gqr.train._trainer import Range, Trainer, balanced_weights, csr_features

__all__ = ["XGBoost"]

_CONVERTER_OPSET = 15  # the default-domain opset onnxmltools converts for


class XGBoost(Trainer):
    """The XGBoost trainer.

    Parameters: ``n_estimators`` boosting rounds, ``max_depth``, ``learning_rate``, ``subsample``,
    ``colsample_bytree``, ``min_child_weight``, ``reg_lambda``, ``balance``
    (:func:`~gqr.train._trainer.balanced_weights`), ``featurizer`` settings (a small vocabulary: trees split on few
    features), ``threads`` and ``seed``. Every training text needs an output (a strict training set has no outliers).
    Fitted attributes: ``featurizer_``, ``outputs_``, ``booster_`` (the ``xgboost.Booster``).
    """

    family: ClassVar[str] = "xgboost"
    summary: ClassVar[str] = "XGBoost: gradient-boosted trees with a softmax over the outputs, on TF-IDF features"
    libraries: ClassVar[tuple[str, ...]] = ("xgboost", "onnxmltools")
    featurizer_defaults: ClassVar[Mapping[str, Any]] = {"max_features": 4000, "max_char_features": 2000}

    def __init__(
        self,
        *,
        n_estimators: Annotated[int, Range(1, integer=True)] = 300,
        max_depth: Annotated[int, Range(1, integer=True)] = 6,
        learning_rate: Annotated[float, Range(0, 1, lo_open=True)] = 0.3,
        subsample: Annotated[float, Range(0, 1, lo_open=True)] = 0.8,
        colsample_bytree: Annotated[float, Range(0, 1, lo_open=True)] = 0.5,
        min_child_weight: Annotated[float, Range(0)] = 1.0,
        reg_lambda: Annotated[float, Range(0)] = 1.0,
        balance: Annotated[float, Range(0, 1)] = 1.0,
        featurizer: Mapping[str, Any] | None = None,
        threads: Annotated[int, Range(1, integer=True)] = 2,
        seed: Annotated[int, Range(0, integer=True)] = 0,
    ) -> None:
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.learning_rate = learning_rate
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.min_child_weight = min_child_weight
        self.reg_lambda = reg_lambda
        self.balance = balance
        self.featurizer = featurizer
        self.threads = threads
        self.seed = seed

    def fit(self, train: LabelledSet, eval_set: LabelledSet | None = None) -> XGBoost:
        """Fit the featurizer and the boosted trees on ``train``; ``eval_set`` is not used."""
        self._start_fit(train, all_labelled=True)
        xgb = require("xgboost", "train")
        dtrain = xgb.DMatrix(
            csr_features(self.featurizer_, train.texts),
            label=train.targets,
            weight=balanced_weights(train, self.balance),
        )
        params = {
            "objective": "multi:softprob",
            "num_class": len(self.outputs_),
            "tree_method": "hist",
            "max_depth": self.max_depth,
            "eta": self.learning_rate,
            "subsample": self.subsample,
            "colsample_bytree": self.colsample_bytree,
            "min_child_weight": self.min_child_weight,
            "lambda": self.reg_lambda,
            "nthread": self.threads,
            "seed": self.seed,
        }
        self.booster_ = xgb.train(params, dtrain, num_boost_round=self.n_estimators)
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Softmax scores ``[n, len(outputs_)]`` computed by XGBoost (the source model of the ONNX graph)."""
        xgb = require("xgboost", "train")
        return self.booster_.predict(xgb.DMatrix(csr_features(self.featurizer_, texts))).astype(np.float32)

    def to_onnx(self) -> Any:
        """The ONNX graph: ScatterElements into a NaN row → onnxmltools' TreeEnsembleClassifier (softmax)."""
        onnx = require("onnx", "train")
        convert = require("onnxmltools.convert", "train")
        types = require("onnxmltools.convert.common.data_types", "train")
        n = self.featurizer_.n_features
        trees = convert.convert_xgboost(
            self.booster_, initial_types=[("dense", types.FloatTensorType([None, n]))], target_opset=_CONVERTER_OPSET
        )
        g = GraphBuilder(f"xgboost-{len(self.outputs_)}")
        batch = g.op("Slice", g.op("Shape", IDS), g.const(np.array([0], np.int64)), g.const(np.array([1], np.int64)))
        shape = g.op("Concat", batch, g.const(np.array([n], np.int64)), axis=0)
        nan = onnx.helper.make_tensor("nan", onnx.TensorProto.FLOAT, [1], [float("nan")])
        dense = g.op("ScatterElements", g.op("ConstantOfShape", shape, value=nan), IDS, WEIGHTS, axis=1)
        _, probabilities = g.include(trees, {"dense": dense})
        return g.build(probabilities, len(self.outputs_), {"outputs": ",".join(self.outputs_)})
