"""XGBoost train → ONNX export → onnxruntime round trip on a toy sample, and the strict pipeline run."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _train_toy import TEXTS, assert_padding_invariant, decision_agreement, labelled, perturbed

import gqr
from gqr.train import run, session, sha256_of, train
from gqr.train._xgboost import XGBoost

PARAMS = {"n_estimators": 40, "max_depth": 4, "subsample": 1.0, "colsample_bytree": 1.0, "min_df": 1, "threads": 1}


@pytest.fixture(scope="module")
def fitted() -> XGBoost:
    return XGBoost(**PARAMS, min_child_weight=0.1).fit(labelled("guarded"))


def test_fit_learns_the_training_texts(fitted: XGBoost) -> None:
    data = labelled("guarded")
    assert (fitted.predict_proba(data.texts).argmax(axis=1) == data.targets).mean() >= 0.9


def test_onnx_agrees_with_xgboost(fitted: XGBoost) -> None:
    texts = [*perturbed(3000), *labelled("guarded").texts, "", "zzzz qqqq"]
    ref = fitted.predict_proba(texts)
    got = run(session(fitted.to_onnx()), fitted.featurizer_, texts)
    assert got.shape == ref.shape == (len(texts), 6) and got.dtype == np.float32
    assert np.abs(got - ref).max() < 1e-5
    assert decision_agreement(got, ref, fitted.outputs_) >= 0.999


def test_padding_does_not_change_scores(fitted: XGBoost) -> None:
    assert_padding_invariant(fitted.to_onnx(), fitted.featurizer_)


def test_invalid_input_is_refused() -> None:
    with pytest.raises(ValueError, match="learning_rate"):
        XGBoost(learning_rate=0).fit(labelled("guarded"))
    with pytest.raises(ValueError, match="n_estimators"):
        XGBoost(n_estimators=0).fit(labelled("guarded"))
    with pytest.raises(ValueError, match="target -1"):
        XGBoost(**PARAMS).fit(labelled("strict"))  # outliers without an output


def test_strict_pipeline_writes_a_loadable_model(tmp_path) -> None:
    train_set, eval_set = labelled("strict", outliers=False), labelled("strict")
    params = {**PARAMS, "min_child_weight": 0.1}
    result = train("xgboost", "strict", out_dir=tmp_path, params=params, train_set=train_set, eval_set=eval_set)
    card = json.loads(result.card_path.read_text(encoding="utf-8"))
    assert card["family"] == "xgboost" and card["outputs"] == ["law", "finance", "healthcare"]
    assert card["onnx"]["sha256"] == sha256_of(result.onnx_path)
    assert card["training"]["params"]["n_estimators"] == 40
    router = gqr.load(str(result.card_path))
    routes = [d.route for d in router.classify_batch(TEXTS["law"] + TEXTS["healthcare"])]
    assert routes.count("law") >= 5 and routes.count("healthcare") >= 5
    again = train(
        "xgboost", "strict", out_dir=tmp_path / "again", params=params, train_set=train_set, eval_set=eval_set
    )
    assert sha256_of(again.onnx_path) == card["onnx"]["sha256"]  # seeded: the same bytes
