"""XGBoost: gradient-boosted trees (softmax over the outputs) on TF-IDF features with a small vocabulary.

XGBoost learns on the sparse feature matrix, where a feature absent from a text is *missing* (not zero). The ONNX
graph rebuilds that row: ``ScatterElements`` writes ``weights`` at ``ids`` into a ``[batch, n_features]`` row of NaN
(= missing; padding writes weight 0 into column 0, the padding id, which no tree uses), then a
``TreeEnsembleRegressor`` (``ai.onnx.ml``) written from the booster's own JSON dump adds up the leaves per output,
the booster's base margin is added and a Softmax gives the scores.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from gqr._extras import require
from gqr.train._dataset import LabelledSet
from gqr.train._featurized import FeaturizedTrainer, csr_features
from gqr.train._onnx import IDS, OPSET, SCORES, WEIGHTS

__all__ = ["XGBoost"]

_ML_OPSET = 3


class XGBoost(FeaturizedTrainer):
    """The XGBoost trainer (scikit-learn style: parameters here, checked in :meth:`fit`).

    Parameters: ``n_estimators`` boosting rounds, ``max_depth``, ``learning_rate``, ``subsample``,
    ``colsample_bytree``, ``min_child_weight``, ``reg_lambda``, ``balance`` (see :class:`FeaturizedTrainer`),
    the featurizer settings (a small vocabulary: trees split on few features), ``threads`` and ``seed``.
    Every training text needs an output (a strict training set has no outliers).
    Fitted attributes: ``featurizer_``, ``outputs_``, ``booster_`` (the ``xgboost.Booster``).
    """

    family: ClassVar[str] = "xgboost"
    summary: ClassVar[str] = "XGBoost: gradient-boosted trees with a softmax over the outputs, on TF-IDF features"
    _PARAMS: ClassVar[tuple[str, ...]] = (
        "n_estimators",
        "max_depth",
        "learning_rate",
        "subsample",
        "colsample_bytree",
        "min_child_weight",
        "reg_lambda",
        "balance",
        "max_features",
        "max_char_features",
        "char_ngram_range",
        "bigrams",
        "min_df",
        "max_tokens",
        "threads",
        "seed",
    )
    _POSITIVE: ClassVar[tuple[str, ...]] = (
        "n_estimators",
        "max_depth",
        "max_features",
        "min_df",
        "max_tokens",
        "threads",
    )

    def __init__(
        self,
        *,
        n_estimators: int = 300,
        max_depth: int = 6,
        learning_rate: float = 0.3,
        subsample: float = 0.8,
        colsample_bytree: float = 0.5,
        min_child_weight: float = 1.0,
        reg_lambda: float = 1.0,
        balance: float = 1.0,
        max_features: int = 4000,
        max_char_features: int = 2000,
        char_ngram_range: tuple[int, int] = (3, 5),
        bigrams: bool = True,
        min_df: int = 2,
        max_tokens: int = 128,
        threads: int = 2,
        seed: int = 0,
    ) -> None:
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.learning_rate = learning_rate
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.min_child_weight = min_child_weight
        self.reg_lambda = reg_lambda
        self.balance = balance
        self.max_features = max_features
        self.max_char_features = max_char_features
        self.char_ngram_range = char_ngram_range
        self.bigrams = bigrams
        self.min_df = min_df
        self.max_tokens = max_tokens
        self.threads = threads
        self.seed = seed

    def _check(self) -> None:
        super()._check()
        for name in ("learning_rate", "subsample", "colsample_bytree"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {getattr(self, name)!r}")
        if not (self.min_child_weight >= 0 and self.reg_lambda >= 0):
            raise ValueError(
                f"expected min_child_weight >= 0 and reg_lambda >= 0, got {self.min_child_weight!r} "
                f"and {self.reg_lambda!r}"
            )

    def fit(self, train: LabelledSet, eval_set: LabelledSet | None = None) -> XGBoost:
        """Fit the featurizer and the boosted trees on ``train``; ``eval_set`` is not used."""
        self._start_fit(train, all_labelled=True)
        xgb = require("xgboost", "train")
        dtrain = xgb.DMatrix(
            csr_features(self.featurizer_, train.texts), label=train.targets, weight=self._weights(train)
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
        """The contract-C ONNX graph: ScatterElements into a NaN row → TreeEnsembleRegressor → + base → Softmax."""
        onnx = require("onnx", "train")
        helper, numpy_helper = onnx.helper, onnx.numpy_helper
        n_out = len(self.outputs_)
        config = json.loads(self.booster_.save_config())["learner"]["learner_model_param"]
        base = np.array(json.loads(config["base_score"]), dtype=np.float32).reshape(-1)
        base = np.broadcast_to(base, (n_out,)).astype(np.float32)
        trees = json.loads(self.booster_.save_raw("json"))["learner"]["gradient_booster"]["model"]
        ensemble = _ensemble_attributes(trees["trees"], trees["tree_info"])

        consts = {
            "start": np.array([0], dtype=np.int64),
            "one": np.array([1], dtype=np.int64),
            "n_features": np.array([self.featurizer_.n_features], dtype=np.int64),
            "base": base,
        }
        nodes = [
            helper.make_node("Shape", [IDS], ["ids_shape"]),
            helper.make_node("Slice", ["ids_shape", "start", "one"], ["batch"]),
            helper.make_node("Concat", ["batch", "n_features"], ["dense_shape"], axis=0),
            helper.make_node(
                "ConstantOfShape",
                ["dense_shape"],
                ["missing"],
                value=helper.make_tensor("nan", onnx.TensorProto.FLOAT, [1], [float("nan")]),
            ),
            helper.make_node("ScatterElements", ["missing", IDS, WEIGHTS], ["dense"], axis=1),
            helper.make_node(
                "TreeEnsembleRegressor",
                ["dense"],
                ["leaves"],
                domain="ai.onnx.ml",
                n_targets=n_out,
                aggregate_function="SUM",
                post_transform="NONE",
                **ensemble,
            ),
            helper.make_node("Add", ["leaves", "base"], ["margin"]),
            helper.make_node("Softmax", ["margin"], [SCORES], axis=-1),
        ]
        graph = helper.make_graph(
            nodes,
            f"xgboost-{n_out}",
            [
                helper.make_tensor_value_info(IDS, onnx.TensorProto.INT64, ["batch", "length"]),
                helper.make_tensor_value_info(WEIGHTS, onnx.TensorProto.FLOAT, ["batch", "length"]),
            ],
            [helper.make_tensor_value_info(SCORES, onnx.TensorProto.FLOAT, ["batch", n_out])],
            initializer=[numpy_helper.from_array(v, k) for k, v in consts.items()],
        )
        model = helper.make_model(
            graph,
            opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid("ai.onnx.ml", _ML_OPSET)],
            producer_name="gqr",
            ir_version=8,
        )
        entry = model.metadata_props.add()
        entry.key, entry.value = "outputs", ",".join(self.outputs_)
        onnx.checker.check_model(model)
        return model


def _ensemble_attributes(trees: list[dict[str, Any]], tree_info: list[int]) -> dict[str, list[Any]]:
    """``TreeEnsembleRegressor`` attributes for XGBoost JSON trees; tree ``t`` adds its leaf to output ``tree_info[t]``.

    XGBoost sends ``x < threshold`` left and a missing value to its ``default_left`` side; a leaf's value is its
    ``split_conditions`` entry.
    """
    a: dict[str, list[Any]] = {
        key: []
        for key in (
            "nodes_treeids",
            "nodes_nodeids",
            "nodes_featureids",
            "nodes_values",
            "nodes_modes",
            "nodes_truenodeids",
            "nodes_falsenodeids",
            "nodes_missing_value_tracks_true",
            "target_treeids",
            "target_nodeids",
            "target_ids",
            "target_weights",
        )
    }
    for t, (tree, output) in enumerate(zip(trees, tree_info, strict=True)):
        left, right = tree["left_children"], tree["right_children"]
        for node, (lo, hi) in enumerate(zip(left, right, strict=True)):
            leaf = lo == -1
            a["nodes_treeids"].append(t)
            a["nodes_nodeids"].append(node)
            a["nodes_featureids"].append(0 if leaf else tree["split_indices"][node])
            a["nodes_values"].append(0.0 if leaf else tree["split_conditions"][node])
            a["nodes_modes"].append("LEAF" if leaf else "BRANCH_LT")
            a["nodes_truenodeids"].append(0 if leaf else lo)
            a["nodes_falsenodeids"].append(0 if leaf else hi)
            a["nodes_missing_value_tracks_true"].append(0 if leaf else int(tree["default_left"][node]))
            if leaf:
                a["target_treeids"].append(t)
                a["target_nodeids"].append(node)
                a["target_ids"].append(output)
                a["target_weights"].append(tree["split_conditions"][node])
    return a
