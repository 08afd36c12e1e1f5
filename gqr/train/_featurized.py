"""What the fastText, SVM and XGBoost trainers share: featurizer settings, parameter checks, class balance, CSR rows.

Each of these trainers fits a :class:`~gqr._featurize.Featurizer` on its training texts and learns on its ids and
weights, so the ONNX graph sees exactly the features the source model saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from gqr._extras import require
from gqr._featurize import Featurizer
from gqr.train._dataset import LabelledSet

__all__ = ["FeaturizedTrainer", "csr_features"]


class FeaturizedTrainer:
    """Base of the trainers that learn on :class:`Featurizer` output (scikit-learn style).

    Subclasses list their constructor parameters in ``_PARAMS`` and their positive-int ones in ``_POSITIVE``;
    the featurizer settings (``max_features``, ``max_char_features``, ``char_ngram_range``, ``bigrams``,
    ``min_df``, ``max_tokens``) and ``balance`` are common: ``balance`` in [0, 1] is the power applied to the
    per-output balancing weights of :meth:`LabelledSet.sample_weights` (0: every text counts once, 1: every
    output counts the same in total).
    """

    family: ClassVar[str]
    summary: ClassVar[str]
    _PARAMS: ClassVar[tuple[str, ...]]
    _POSITIVE: ClassVar[tuple[str, ...]] = ("max_features", "min_df", "max_tokens")

    max_features: int
    max_char_features: int
    char_ngram_range: tuple[int, int]
    bigrams: bool
    min_df: int
    max_tokens: int
    balance: float

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters (JSON-able)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in ((k, getattr(self, k)) for k in self._PARAMS)}

    def _check(self) -> None:
        for name in self._POSITIVE:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if not 0.0 <= self.balance <= 1.0:
            raise ValueError(f"balance must be in [0, 1], got {self.balance!r}")

    def _start_fit(self, train: LabelledSet, *, all_labelled: bool) -> None:
        """Check parameters and data, set ``outputs_`` and fit ``featurizer_`` on the training texts."""
        self._check()
        if len(train) == 0:
            raise ValueError("expected a non-empty training set, got 0 texts")
        if all_labelled and (train.targets < 0).any():
            raise ValueError(
                f"{self.family} learns one output per text; expected no text without an output (target -1), "
                f"got {int((train.targets < 0).sum())} (train a guarded model to learn from outliers)"
            )
        missing = [o for k, o in enumerate(train.outputs) if not (train.targets == k).any()]
        if all_labelled and missing:
            raise ValueError(f"expected training texts for every output, got none for {missing}")
        self.outputs_ = train.outputs
        self.featurizer_ = Featurizer(
            bigrams=self.bigrams,
            char_ngram_range=(self.char_ngram_range[0], self.char_ngram_range[1]),
            max_features=self.max_features,
            max_char_features=self.max_char_features,
            min_df=self.min_df,
            max_tokens=self.max_tokens,
        ).fit(train.texts)

    def _weights(self, train: LabelledSet) -> np.ndarray:
        """Per-text training weights, mean 1: the balancing weights raised to ``balance``."""
        w = train.sample_weights().astype(np.float64) ** self.balance
        return (w / w.mean()).astype(np.float32)


def csr_features(featurizer: Featurizer, texts: Sequence[str]) -> Any:
    """``scipy.sparse.csr_matrix [len(texts), n_features]`` whose column ``i`` holds the weight of feature id ``i``."""
    sparse = require("scipy.sparse", "train")
    rows = [featurizer.transform_one(t) for t in texts]
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r[0]) for r in rows], out=indptr[1:])
    ids = np.concatenate([r[0] for r in rows]) if rows else np.zeros(0, np.int64)
    weights = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0, np.float32)
    return sparse.csr_matrix((weights, ids, indptr), shape=(len(rows), featurizer.n_features), dtype=np.float32)
