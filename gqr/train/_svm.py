"""TF-IDF + linear SVM: one-vs-rest ``LinearSVC`` per output, each calibrated by a Platt sigmoid.

The Platt sigmoid of output ``k`` is fit on out-of-fold SVM scores (``calibration_folds``-fold cross-validation on
the training data); the final SVM is then fit on all training texts. Exported to ONNX with the calibration folded
into the weights: ``scores = sigmoid(sum_j weights_j * table[ids_j] + bias)`` with ``table = coef * a`` and
``bias = intercept * a + c`` (one EmbeddingBag of width K, then a sigmoid per output).

With ``prior_dims`` > 0 the SVM also reads the semantic prior (:mod:`gqr.train._prior`): the TF-IDF-weighted sum
of the word vectors, times ``prior_scale``, as ``prior_dims`` dense columns beside the TF-IDF ones. Being linear in
the TF-IDF weights, it folds into the exported table (``table += prior_scale * vectors @ prior_coef * a``): a word
rare in training gets the weight its meaning earns elsewhere, and inference costs what it did without the prior.
(A unit-length mean, as the WideMLP uses, scored the same on the source-held-out protocol and cost about 9 µs more
per query in onnxruntime: ``benchmarks/RESULTS.md``, issue-13 section.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, ClassVar

import numpy as np

from gqr._errors import InvalidInputError
from gqr._extras import require
from gqr._log import logger
from gqr.train._dataset import LabelledSet
from gqr.train._onnx import GraphBuilder
from gqr.train._prior import prior_table
from gqr.train._trainer import Range, Trainer, balanced_weights, csr_features

__all__ = ["LinearSVM"]


class LinearSVM(Trainer):
    """The TF-IDF + linear SVM trainer.

    Parameters: ``C`` and ``max_iter`` of each ``LinearSVC``, ``calibration_folds`` for the Platt sigmoids,
    ``balance`` (:func:`~gqr.train._trainer.balanced_weights`), ``prior_dims`` / ``prior_scale`` (the semantic
    prior, see the module docstring), ``featurizer`` settings and ``seed``.
    Texts without an output (target ``-1``) are negatives for every output.
    Fitted attributes: ``featurizer_``, ``outputs_``, ``estimators_`` (one ``LinearSVC`` per output),
    ``calibration_`` (``[K, 2]``: slope ``a`` and offset ``c`` of ``sigmoid(a * svm_score + c)``).
    """

    family: ClassVar[str] = "svm"
    summary: ClassVar[str] = "TF-IDF + linear SVM: one-vs-rest LinearSVC with a Platt sigmoid per output"
    libraries: ClassVar[tuple[str, ...]] = ("sklearn",)
    featurizer_defaults: ClassVar[Mapping[str, Any]] = {
        "max_features": 100_000,
        "max_char_features": 100_000,
        "max_tokens": 256,
    }

    def __init__(
        self,
        *,
        C: Annotated[float, Range(0, lo_open=True)] = 1.5,
        max_iter: Annotated[int, Range(1, integer=True)] = 5000,
        calibration_folds: Annotated[int, Range(2, integer=True)] = 3,
        balance: Annotated[float, Range(0, 1)] = 0.75,
        prior_dims: Annotated[int, Range(0, 384, integer=True)] = 0,
        prior_scale: Annotated[float, Range(0, lo_open=True)] = 1.0,
        featurizer: Mapping[str, Any] | None = None,
        seed: Annotated[int, Range(0, integer=True)] = 0,
    ) -> None:
        self.C = C
        self.max_iter = max_iter
        self.calibration_folds = calibration_folds
        self.balance = balance
        self.prior_dims = prior_dims
        self.prior_scale = prior_scale
        self.featurizer = featurizer
        self.seed = seed

    def fit(self, train: LabelledSet, eval_set: LabelledSet | None = None) -> LinearSVM:
        """Fit the featurizer, one calibrated ``LinearSVC`` per output on ``train``; ``eval_set`` is not used."""
        self._start_fit(train, all_labelled=False)
        svm = require("sklearn.svm", "train")
        model_selection = require("sklearn.model_selection", "train")
        self.prior_ = prior_table(self.featurizer_, self.prior_dims) if self.prior_dims else None
        X = self._features(train.texts)
        Y = train.target_matrix().astype(np.int64)
        sw = balanced_weights(train, self.balance)
        self.estimators_: list[Any] = []
        self.calibration_ = np.zeros((len(self.outputs_), 2), dtype=np.float64)
        for k, output in enumerate(self.outputs_):
            y = Y[:, k]
            n_pos = int(y.sum())
            if n_pos < self.calibration_folds or len(y) - n_pos < self.calibration_folds:
                raise InvalidInputError(
                    f"output {output!r} needs at least {self.calibration_folds} positive and negative training "
                    f"texts, got {n_pos} positive and {len(y) - n_pos} negative"
                )
            folds = model_selection.StratifiedKFold(self.calibration_folds, shuffle=True, random_state=self.seed)
            held_out = np.zeros(len(y), dtype=np.float64)
            for fit_rows, cal_rows in folds.split(np.zeros(len(y)), y):
                held_out[cal_rows] = self._svc(svm, X[fit_rows], y[fit_rows], sw[fit_rows]).decision_function(
                    X[cal_rows]
                )
            self.calibration_[k] = _platt(held_out, y, sw)
            self.estimators_.append(self._svc(svm, X, y, sw))
            logger.info("svm %s: calibration a=%.3f c=%.3f", output, *self.calibration_[k])
        return self

    def _svc(self, svm: Any, X: Any, y: np.ndarray, sw: np.ndarray) -> Any:
        return svm.LinearSVC(C=self.C, max_iter=self.max_iter, random_state=self.seed).fit(X, y, sample_weight=sw)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated scores ``[n, len(outputs_)]`` computed by scikit-learn (the source model of the ONNX graph)."""
        X = self._features(texts)
        margin = np.stack([est.decision_function(X) for est in self.estimators_], axis=1)
        z = margin * self.calibration_[:, 0] + self.calibration_[:, 1]
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)

    def _features(self, texts: Sequence[str]) -> Any:
        """TF-IDF columns, then (with the prior) the TF-IDF-weighted sum of word vectors times ``prior_scale``."""
        X = csr_features(self.featurizer_, texts)
        if self.prior_ is None:
            return X
        sparse = require("scipy.sparse", "train")
        return sparse.hstack([X, sparse.csr_matrix((X @ self.prior_) * self.prior_scale)], format="csr")

    def to_onnx(self) -> Any:
        """The ONNX graph: EmbeddingBag of width K (calibrated SVM weights) + bias → Sigmoid."""
        a, c = self.calibration_[:, 0], self.calibration_[:, 1]
        coef = np.stack([est.coef_[0] for est in self.estimators_], axis=1)  # [n_features, K]
        intercept = np.array([est.intercept_[0] for est in self.estimators_])
        n = self.featurizer_.n_features
        if self.prior_ is not None:  # the prior columns, folded into the rows of the words that have a vector
            coef = coef[:n] + self.prior_.astype(np.float64) @ (coef[n:] * self.prior_scale)
        table = (coef * a).astype(np.float32)
        table[0] = 0.0  # padding id
        g = GraphBuilder(f"svm-{len(self.outputs_)}")
        logits = g.add(g.embedding_bag(table), (intercept * a + c).astype(np.float32))
        return g.build(g.sigmoid(logits), len(self.outputs_), {"outputs": ",".join(self.outputs_)})


def _platt(margin: np.ndarray, y: np.ndarray, sample_weight: np.ndarray) -> tuple[float, float]:
    """Slope and offset of the logistic fit ``P(y=1 | margin) = sigmoid(a * margin + c)``."""
    linear_model = require("sklearn.linear_model", "train")
    lr = linear_model.LogisticRegression(C=1e4, max_iter=1000)
    lr.fit(margin[:, None], y, sample_weight=sample_weight)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])
