"""What only the TF-IDF + linear SVM does (the shared round trip is in test_train_families.py): Platt calibration,
outliers as negatives, the semantic prior folded into the exported table."""

from __future__ import annotations

import numpy as np
import pytest
from _train_toy import assert_padding_invariant, decision_agreement, labelled, perturbed

import gqr
from gqr.train import run, session
from gqr.train._svm import LinearSVM

PARAMS = {"C": 1.0, "featurizer": {"min_df": 1}, "seed": 0}


def test_calibration_grows_with_the_margin() -> None:
    model = LinearSVM(**PARAMS).fit(labelled("guarded", copies=5))
    assert np.all(model.calibration_[:, 0] > 0)  # a larger SVM margin means a larger probability


def test_outliers_without_an_output_are_negatives() -> None:
    data = labelled("strict", copies=5)  # outliers have target -1
    model = LinearSVM(**PARAMS).fit(data)
    scores = model.predict_proba(data.texts)
    outlier = data.targets < 0
    assert scores[outlier].max(axis=1).mean() < scores[~outlier].max(axis=1).mean()


def test_calibration_folds_need_enough_texts_per_output() -> None:
    with pytest.raises(gqr.InvalidInputError, match="at least 7 positive and negative training texts, got 6 positive"):
        LinearSVM(**{**PARAMS, "calibration_folds": 7}).fit(labelled("guarded"))  # six texts per output


def test_onnx_with_prior_agrees_with_sklearn(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("GQR_CACHE_DIR", str(tmp_path))
    model = LinearSVM(**PARAMS, prior_dims=16, prior_scale=2.0).fit(labelled("guarded", copies=5))
    texts = [*perturbed(2000), *labelled("guarded").texts, "", "zzzz qqqq"]
    ref = model.predict_proba(texts)
    got = run(session(model.to_onnx()), model.featurizer_, texts)
    assert got.shape == ref.shape and np.abs(got - ref).max() < 1e-4  # folded into the float32 table
    assert decision_agreement(got, ref, model.outputs_) >= 0.99
    assert_padding_invariant(model.to_onnx(), model.featurizer_)
    plain = LinearSVM(**PARAMS).fit(labelled("guarded", copies=5))
    assert not np.allclose(plain.predict_proba(texts), ref)  # the prior columns took part
