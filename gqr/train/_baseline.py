"""The first baseline: TF-IDF + logistic regression on in-domain data only (strict), rejecting by a threshold.

Not exported to ONNX: it exists so the benchmark harness has a real, reproducible model to score.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from gqr._decision import DOMAINS, REASONS, Decision
from gqr._errors import InvalidInputError
from gqr._extras import require
from gqr._log import logger
from gqr._policy import decide

__all__ = ["TfidfLogReg", "train_baseline"]


class TfidfLogReg:
    """TF-IDF (word n-grams) + multinomial logistic regression over law / finance / healthcare.

    Strict: trained on in-domain texts only. A query is rejected (reason ``"low_confidence"``) when its best
    domain probability is below that domain's threshold, set in :meth:`fit` to the ``reject_quantile``
    quantile of the best probability on the correctly predicted eval texts of the domain
    (rule: :func:`gqr._policy.decide`). Offers the :class:`gqr.Classifier` protocol.
    """

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
        max_features: int | None = 50_000,
        sublinear_tf: bool = True,
        C: float = 10.0,
        max_iter: int = 1000,
        reject_quantile: float = 0.05,
        name: str = "baseline",
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.C = C
        self.max_iter = max_iter
        self.reject_quantile = reject_quantile
        self.name = name

    def fit(self, X: Sequence[str], y: Sequence[str], *, eval_set: tuple[Sequence[str], Sequence[str]]) -> TfidfLogReg:
        """Fit on texts ``X`` with domain labels ``y``; tune the thresholds on ``eval_set = (texts, labels)``."""
        if not 0.0 <= self.reject_quantile < 1.0:
            raise InvalidInputError(f"reject_quantile must be in [0, 1), got {self.reject_quantile!r}")
        if self.C <= 0 or self.max_iter < 1 or self.min_df < 1:
            raise InvalidInputError(
                f"expected C > 0, max_iter >= 1, min_df >= 1, got {self.C!r}, {self.max_iter!r}, {self.min_df!r}"
            )
        text = require("sklearn.feature_extraction.text", "train")
        linear = require("sklearn.linear_model", "train")
        X, y_ids = _check_xy(X, y, "training")
        X_eval, y_eval = _check_xy(*eval_set, "eval")
        self.vectorizer_ = text.TfidfVectorizer(
            ngram_range=self.ngram_range,
            min_df=self.min_df,
            max_features=self.max_features,
            sublinear_tf=self.sublinear_tf,
            dtype=np.float32,
        ).fit(X)
        self.model_ = linear.LogisticRegression(C=self.C, max_iter=self.max_iter).fit(
            self.vectorizer_.transform(X), y_ids
        )
        proba = self._proba(X_eval)
        pred = proba.argmax(axis=1)
        best = proba.max(axis=1)
        self.thresholds_ = {}
        for i, domain in enumerate(DOMAINS):
            right = best[(pred == i) & (y_eval == i)]
            if len(right) == 0:
                raise InvalidInputError(f"no eval text of {domain!r} is predicted right; cannot tune its threshold")
            self.thresholds_[domain] = float(np.quantile(right, self.reject_quantile))
        logger.info("baseline fitted on %d texts; thresholds %s", len(X), self.thresholds_)
        return self

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Domain probabilities ``[n, 3]`` (columns: law, finance, healthcare)."""
        self._check_fitted()
        return self._proba(X)

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """GQR integer labels: 0 law, 1 finance, 2 healthcare, 3 ood."""
        labels = [DOMAINS.index(d.route) if d.route else len(DOMAINS) for d in self.classify_batch(X)]
        return np.array(labels, dtype=np.int64)

    def classify(self, text: str) -> Decision:
        return self.classify_batch([text])[0]

    def classify_batch(self, texts: Sequence[str]) -> list[Decision]:
        """One :class:`gqr.Decision` per text; empty or whitespace-only texts are rejected as ``"empty"``."""
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"expected str texts, got {type(text).__name__}")
        self._check_fitted()
        texts = list(texts)
        out = [Decision(route=None, confidence=1.0, reason="empty")] * len(texts)
        keep = [i for i, t in enumerate(texts) if t.strip()]
        if keep:
            proba = self._proba([texts[i] for i in keep])
            labels, reasons, confidence = decide(proba, DOMAINS, self.thresholds_)
            for j, i in enumerate(keep):
                routed = labels[j] < len(DOMAINS)
                out[i] = Decision(
                    route=DOMAINS[labels[j]] if routed else None,  # type: ignore[arg-type]
                    confidence=float(confidence[j]),
                    scores=dict(zip(DOMAINS, proba[j].tolist(), strict=True)),
                    reason=None if routed else REASONS[reasons[j]],  # type: ignore[arg-type]
                )
        return out

    @property
    def size_bytes(self) -> int:
        """Bytes to store the model compactly: vocabulary (UTF-8 + int32 id), float32 idf and weights."""
        self._check_fitted()
        vocab = sum(len(term.encode()) + 4 for term in self.vectorizer_.vocabulary_)
        return vocab + 4 * (self.vectorizer_.idf_.size + self.model_.coef_.size + self.model_.intercept_.size)

    def _proba(self, X: Sequence[str]) -> np.ndarray:
        return self.model_.predict_proba(self.vectorizer_.transform(list(X))).astype(np.float32)

    def _check_fitted(self) -> None:
        if not hasattr(self, "thresholds_"):
            exceptions = require("sklearn.exceptions", "train")
            raise exceptions.NotFittedError(f"this {type(self).__name__} is not fitted yet; call fit() first")


def train_baseline(data_dir: str | os.PathLike[str] | None = None, **params: Any) -> TfidfLogReg:
    """Fit :class:`TfidfLogReg` on ``gqr.data.load_id("train")``, thresholds on ``load_id("eval")``."""
    from gqr.data import load_id

    train, dev = load_id("train", data_dir), load_id("eval", data_dir)
    return TfidfLogReg(**params).fit(
        [ex.text for ex in train],
        [ex.label for ex in train],
        eval_set=([ex.text for ex in dev], [ex.label for ex in dev]),
    )


def _check_xy(X: Sequence[str], y: Sequence[str], what: str) -> tuple[list[str], np.ndarray]:
    X, y = list(X), list(y)
    if len(X) != len(y):
        raise InvalidInputError(f"{what} set: expected as many labels as texts ({len(X)}), got {len(y)}")
    bad = next((v for v in y if v not in DOMAINS), None)
    if bad is not None:
        raise InvalidInputError(f"{what} set: expected labels in {DOMAINS}, got {bad!r}")
    missing = [d for d in DOMAINS if d not in set(y)]
    if missing:
        raise InvalidInputError(f"{what} set: expected texts of every domain, got none of {missing}")
    bad_text = next((t for t in X if not isinstance(t, str)), None)
    if bad_text is not None:
        raise InvalidInputError(f"{what} set: expected str texts, got {type(bad_text).__name__}")
    return X, np.array([DOMAINS.index(v) for v in y])
