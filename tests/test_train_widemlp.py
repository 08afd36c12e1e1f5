"""WideMLP train → ONNX export → onnxruntime round trip on a small sample, and the training pipeline's card."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _train_toy import OOD_REASONS, assert_padding_invariant, labelled, perturbed

import gqr
from gqr._policy import decide
from gqr.train import run, session, sha256_of, train, tune_thresholds
from gqr.train._widemlp import WideMLP


@pytest.fixture(scope="module")
def fitted() -> WideMLP:
    data = labelled("guarded")
    return WideMLP(epochs=40, batch_size=8, min_df=1, threads=1, seed=0).fit(data)


def test_fit_learns_the_training_texts(fitted: WideMLP) -> None:
    data = labelled("guarded")
    pred = fitted.scores(data.texts).argmax(axis=1)
    assert (pred == data.targets).mean() >= 0.95
    assert fitted.history_[-1]["train_loss"] < fitted.history_[0]["train_loss"]


@pytest.mark.parametrize("dtype", ["int8", "float16", "float32"])
def test_onnx_agrees_with_torch(fitted: WideMLP, dtype: str) -> None:
    fitted.table_dtype = dtype
    texts = perturbed(3000) + labelled("guarded").texts
    ref = fitted.scores(texts)
    got = run(session(fitted.to_onnx()), fitted.featurizer_, texts, batch_size=256)
    assert got.shape == ref.shape and got.dtype == np.float32
    assert np.abs(got - ref).max() < (0.03 if dtype == "int8" else 1e-3)
    tau = dict.fromkeys(("law", "finance", "healthcare"), 0.5)
    agree = decide(got, fitted.outputs_, tau)[0] == decide(ref, fitted.outputs_, tau)[0]
    assert agree.mean() >= 0.999
    fitted.table_dtype = "int8"


def test_padding_does_not_change_scores(fitted: WideMLP) -> None:
    assert_padding_invariant(fitted.to_onnx(), fitted.featurizer_, pad=37)


def test_tuned_thresholds_separate_the_eval_texts(fitted: WideMLP) -> None:
    data = labelled("guarded")
    tau, ev = tune_thresholds(fitted.scores(data.texts), fitted.outputs_, data)
    assert set(tau) == {"law", "finance", "healthcare"} and all(0 <= t <= 1 for t in tau.values())
    assert ev.objective >= 0.9 and ev.id_acc >= 0.9
    assert set(ev.rejection_per_reason) == set(OOD_REASONS)


def test_pipeline_writes_a_loadable_card(tmp_path) -> None:
    data = labelled("strict")
    params = {"epochs": 30, "batch_size": 8, "min_df": 1, "threads": 1}
    result = train("widemlp", "strict", out_dir=tmp_path, params=params, train_set=data, eval_set=data)
    card = json.loads(result.card_path.read_text(encoding="utf-8"))
    assert card["name"] == "widemlp-strict" and card["outputs"] == ["law", "finance", "healthcare"]
    assert card["onnx"]["sha256"] == sha256_of(result.onnx_path)
    assert card["onnx"]["bytes"] == result.onnx_path.stat().st_size
    assert card["training"]["n_train"] == len(data) and card["training"]["params"]["epochs"] == 30
    assert card["training"]["sources"]["law"] == ["toy_law"]
    router = gqr.load(str(result.card_path))
    assert router.classify("Can my landlord keep my security deposit?").route == "law"
    again = train("widemlp", "strict", out_dir=tmp_path / "again", params=params, train_set=data, eval_set=data)
    assert sha256_of(again.onnx_path) == card["onnx"]["sha256"]  # seeded: the same bytes
