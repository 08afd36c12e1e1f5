"""TF-IDF + linear SVM train → ONNX export → onnxruntime round trip on a toy sample, and the strict pipeline run."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _train_toy import TEXTS, assert_padding_invariant, decision_agreement, labelled, perturbed

import gqr
from gqr.train import run, session, sha256_of, train
from gqr.train._svm import LinearSVM

PARAMS = {"C": 1.0, "min_df": 1, "seed": 0}


@pytest.fixture(scope="module")
def fitted() -> LinearSVM:
    return LinearSVM(**PARAMS).fit(labelled("guarded", copies=5))


def test_fit_learns_the_training_texts(fitted: LinearSVM) -> None:
    data = labelled("guarded")
    assert (fitted.predict_proba(data.texts).argmax(axis=1) == data.targets).mean() >= 0.95
    assert np.all(fitted.calibration_[:, 0] > 0)  # a larger SVM margin means a larger probability


def test_onnx_agrees_with_sklearn(fitted: LinearSVM) -> None:
    texts = [*perturbed(3000), *labelled("guarded").texts, "", "zzzz qqqq"]
    ref = fitted.predict_proba(texts)
    got = run(session(fitted.to_onnx()), fitted.featurizer_, texts)
    assert got.shape == ref.shape == (len(texts), 6) and got.dtype == np.float32
    assert np.abs(got - ref).max() < 1e-5
    assert decision_agreement(got, ref, fitted.outputs_) >= 0.999


def test_padding_does_not_change_scores(fitted: LinearSVM) -> None:
    assert_padding_invariant(fitted.to_onnx(), fitted.featurizer_)


def test_outliers_without_an_output_are_negatives() -> None:
    data = labelled("strict", copies=5)  # outliers have target -1
    model = LinearSVM(**PARAMS).fit(data)
    scores = model.predict_proba(data.texts)
    outlier = data.targets < 0
    assert scores[outlier].max(axis=1).mean() < scores[~outlier].max(axis=1).mean()


def test_invalid_input_is_refused() -> None:
    with pytest.raises(ValueError, match="C must be"):
        LinearSVM(C=0).fit(labelled("guarded"))
    with pytest.raises(ValueError, match="calibration_folds"):
        LinearSVM(calibration_folds=1).fit(labelled("guarded"))
    with pytest.raises(ValueError, match="at least 7 positive"):
        LinearSVM(calibration_folds=7, min_df=1).fit(labelled("guarded"))  # six texts per output


def test_strict_pipeline_writes_a_loadable_model(tmp_path) -> None:
    train_set, eval_set = labelled("strict", outliers=False, copies=5), labelled("strict")
    result = train("svm", "strict", out_dir=tmp_path, params=PARAMS, train_set=train_set, eval_set=eval_set)
    card = json.loads(result.card_path.read_text(encoding="utf-8"))
    assert card["family"] == "svm" and card["outputs"] == ["law", "finance", "healthcare"]
    assert card["onnx"]["sha256"] == sha256_of(result.onnx_path)
    assert card["training"]["params"]["C"] == 1.0
    router = gqr.load(str(result.card_path))
    routes = [d.route for d in router.classify_batch(TEXTS["law"] + TEXTS["healthcare"])]
    assert routes.count("law") >= 5 and routes.count("healthcare") >= 5
    again = train("svm", "strict", out_dir=tmp_path / "again", params=PARAMS, train_set=train_set, eval_set=eval_set)
    assert sha256_of(again.onnx_path) == card["onnx"]["sha256"]  # seeded: the same bytes


def test_pipeline_refuses_parameters_the_family_does_not_take(tmp_path) -> None:
    with pytest.raises(gqr.InvalidInputError, match=r"family 'svm' takes the parameters .*got unknown \['epochs'\]"):
        train("svm", "strict", out_dir=tmp_path, params={"epochs": 3}, train_set=labelled("strict"))
    assert not list(tmp_path.iterdir())


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
