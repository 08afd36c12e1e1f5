"""fastText train → ONNX export → onnxruntime round trip on a toy sample, and the strict pipeline run."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _train_toy import TEXTS, assert_padding_invariant, decision_agreement, labelled, perturbed

import gqr
from gqr.train import run, session, sha256_of, train
from gqr.train._fasttext import FastText

PARAMS = {"dim": 16, "epochs": 100, "lr": 0.5, "min_df": 1, "seed": 0}


@pytest.fixture(scope="module", params=["softmax", "ova"])
def fitted(request: pytest.FixtureRequest) -> FastText:
    return FastText(**PARAMS, loss=request.param).fit(labelled("guarded"))


def test_fit_learns_the_training_texts(fitted: FastText) -> None:
    data = labelled("guarded")
    assert (fitted.predict_proba(data.texts).argmax(axis=1) == data.targets).mean() >= 0.9


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_onnx_agrees_with_fasttext(fitted: FastText, dtype: str) -> None:
    fitted.table_dtype = dtype
    texts = [*perturbed(3000), *labelled("guarded").texts, "", "zzzz qqqq"]
    ref = fitted.predict_proba(texts)
    got = run(session(fitted.to_onnx()), fitted.featurizer_, texts)
    assert got.shape == ref.shape == (len(texts), 6) and got.dtype == np.float32
    # fastText adds 1e-5 inside its log; its sigmoid ("ova") is a 512-entry lookup table clamped at |x| > 8
    tol = 1e-2 if fitted.loss == "ova" else 2e-3 if dtype == "float16" else 2e-4
    assert np.abs(got - ref).max() < tol
    assert decision_agreement(got, ref, fitted.outputs_) >= 0.999
    fitted.table_dtype = "float16"


def test_padding_does_not_change_scores(fitted: FastText) -> None:
    assert_padding_invariant(fitted.to_onnx(), fitted.featurizer_)


def test_invalid_input_is_refused() -> None:
    with pytest.raises(ValueError, match="loss"):
        FastText(loss="hinge").fit(labelled("guarded"))
    with pytest.raises(ValueError, match="dim"):
        FastText(dim=0).fit(labelled("guarded"))
    with pytest.raises(ValueError, match="target -1"):
        FastText(**PARAMS).fit(labelled("strict"))  # outliers without an output


def test_strict_pipeline_writes_a_loadable_model(tmp_path) -> None:
    train_set, eval_set = labelled("strict", outliers=False), labelled("strict")
    result = train("fasttext", "strict", out_dir=tmp_path, params=PARAMS, train_set=train_set, eval_set=eval_set)
    card = json.loads(result.card_path.read_text(encoding="utf-8"))
    assert card["family"] == "fasttext" and card["outputs"] == ["law", "finance", "healthcare"]
    assert card["onnx"]["sha256"] == sha256_of(result.onnx_path)
    assert card["training"]["params"]["dim"] == 16
    router = gqr.load(str(result.card_path))
    routes = [d.route for d in router.classify_batch(TEXTS["law"] + TEXTS["healthcare"])]
    assert routes.count("law") >= 5 and routes.count("healthcare") >= 5
    again = train(
        "fasttext", "strict", out_dir=tmp_path / "again", params=PARAMS, train_set=train_set, eval_set=eval_set
    )
    assert sha256_of(again.onnx_path) == card["onnx"]["sha256"]  # seeded: the same bytes
