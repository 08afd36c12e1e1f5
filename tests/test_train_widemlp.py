"""What only the WideMLP does (the shared round trip is in test_train_families.py): int8 / float16 tables,
synthetic outliers, merged members, the semantic prior."""

from __future__ import annotations

import re

import numpy as np
import pytest
from _train_toy import OOD_REASONS, assert_padding_invariant, decision_agreement, labelled, perturbed

import gqr
from gqr.train import run, session, tune_thresholds
from gqr.train._synthetic import synthetic_outliers
from gqr.train._widemlp import AUTO_SYNTHETIC, WideMLP


@pytest.fixture(scope="module")
def fitted() -> WideMLP:
    data = labelled("guarded")
    return WideMLP(epochs=40, batch_size=8, featurizer={"min_df": 1}, threads=1, seed=0).fit(data)


def test_the_training_loss_falls(fitted: WideMLP) -> None:
    assert fitted.history_[-1]["train_loss"] < fitted.history_[0]["train_loss"]


@pytest.mark.parametrize("dtype", ["int8", "float16"])
def test_onnx_with_a_compact_table_agrees_with_torch(fitted: WideMLP, dtype: str) -> None:
    fitted.table_dtype = dtype
    texts = perturbed(3000) + labelled("guarded").texts
    ref = fitted.predict_proba(texts)
    got = run(session(fitted.to_onnx()), fitted.featurizer_, texts, batch_size=256)
    assert got.shape == ref.shape and got.dtype == np.float32
    assert np.abs(got - ref).max() < (0.03 if dtype == "int8" else 1e-3)
    assert decision_agreement(got, ref, fitted.outputs_) >= 0.999
    assert_padding_invariant(fitted.to_onnx(), fitted.featurizer_, pad=37)
    fitted.table_dtype = "int8"


def test_tuned_thresholds_separate_the_eval_texts(fitted: WideMLP) -> None:
    data = labelled("guarded")
    tau, ev = tune_thresholds(fitted.predict_proba(data.texts), fitted.outputs_, data)
    assert set(tau) == {"law", "finance", "healthcare"} and all(0 <= t <= 1 for t in tau.values())
    assert ev.objective >= 0.9 and ev.id_acc >= 0.9
    assert set(ev.rejection_per_reason) == set(OOD_REASONS)


def test_synthetic_outliers_come_from_the_training_words_only() -> None:
    data = labelled("strict", outliers=False)
    tokens = [re.findall(r"\w+|\S", t.lower()) for t in data.texts]
    texts = synthetic_outliers(tokens, data.targets, 300, np.random.default_rng(0))
    assert len(texts) == 300 and texts == synthetic_outliers(tokens, data.targets, 300, np.random.default_rng(0))
    known = {w for ws in tokens for w in ws}
    words = [w for t in texts for w in t.split()]
    assert 0.1 < np.mean([w in known for w in words]) < 0.9  # training words mixed with scrambled / made-up ones
    with pytest.raises(gqr.InvalidInputError, match="as many tokenized texts as targets"):
        synthetic_outliers(tokens[:-1], data.targets, 3, np.random.default_rng(0))


def test_swap_outliers_replace_domain_words_by_common_training_words(monkeypatch: pytest.MonkeyPatch) -> None:
    data = labelled("strict", outliers=False)
    tokens = [re.findall(r"\w+|\S", t.lower()) for t in data.texts]
    known = {w for ws in tokens for w in ws}
    monkeypatch.setattr("gqr.train._synthetic.KINDS", {"swap": 1.0})
    for swap_other in (0.0, 1.0):
        texts = synthetic_outliers(tokens, data.targets, 200, np.random.default_rng(0), swap_other=swap_other)
        words = [w for t in texts for w in t.split()]
        assert set(words) <= known and "landlord" not in words  # a law-only word never survives
        sources = [set(ws) for ws in tokens]
        kept = np.mean([any(set(t.split()) <= src for src in sources) for t in texts])
        assert (kept > 0) if swap_other == 0.0 else (kept == 0)  # swap_other=1 replaces every word of letters


def test_synthetic_outliers_teach_a_strict_model_to_score_outliers_low(fitted: WideMLP) -> None:
    data = labelled("strict", outliers=False, copies=3)
    params = {"epochs": 30, "batch_size": 8, "featurizer": {"min_df": 1}, "threads": 1, "seed": 0}
    with_syn = WideMLP(**params).fit(data)
    without = WideMLP(**params, synthetic_outliers=0.0).fit(data)
    assert fitted.n_synthetic_ == 0 and without.n_synthetic_ == 0  # guarded data has outliers: none made
    assert with_syn.n_synthetic_ == round(AUTO_SYNTHETIC * len(data))
    for model in (with_syn, without):
        assert (model.predict_proba(data.texts).argmax(axis=1) == data.targets).mean() >= 0.95
    outliers = labelled("guarded")
    ood = [t for t, lab in zip(outliers.texts, outliers.labels, strict=True) if lab == "ood"]
    assert with_syn.predict_proba(ood).max(axis=1).mean() < without.predict_proba(ood).max(axis=1).mean()


def test_members_export_as_one_graph_of_their_weighted_mean_logits() -> None:
    data, eval_set = labelled("strict", outliers=False, copies=2), labelled("strict")
    params = {"epochs": 10, "batch_size": 8, "featurizer": {"min_df": 1}, "threads": 1, "table_dtype": "float32"}
    merged = WideMLP(**params, seed=3, n_members=2, plain_weight=0.5).fit(data, eval_set)
    singles = [WideMLP(**params, seed=seed).fit(data, eval_set) for seed in (3, 4)]
    singles.append(WideMLP(**params, seed=5, synthetic_outliers=0.0, label_smoothing=0.0).fit(data, eval_set))
    assert merged.module_.out.in_features == 3 * merged.hidden
    assert [h["member"] for h in merged.history_] == [m for m in range(3) for _ in range(10)]
    assert merged.best_epoch_ == [single.best_epoch_ for single in singles]
    texts = perturbed(500) + eval_set.texts

    def logits(model: WideMLP) -> np.ndarray:
        p = run(session(model.to_onnx()), model.featurizer_, texts).astype(np.float64)
        return np.log(p) - np.log1p(-p)

    expected = sum(w * logits(m) for w, m in zip((0.4, 0.4, 0.2), singles, strict=True))
    assert np.abs(logits(merged) - expected).max() < 1e-3
    assert np.abs(logits(singles[0]) - logits(singles[2])).max() > 0.1  # the members differ
    with pytest.raises(gqr.InvalidInputError, match="n_members: expected an int >= 1, got 0"):
        WideMLP(n_members=0).fit(data)


@pytest.fixture(scope="module")
def with_prior(tmp_path_factory: pytest.TempPathFactory) -> WideMLP:
    """A WideMLP whose hidden layer also reads the semantic prior (word vectors of the bundled MiniLM encoder)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("GQR_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    try:
        data = labelled("guarded")
        return WideMLP(
            epochs=40, batch_size=8, featurizer={"min_df": 1}, threads=1, seed=0, hidden=64, prior_dims=16
        ).fit(data)
    finally:
        mp.undo()


def test_prior_table_holds_word_vectors_only(with_prior: WideMLP) -> None:
    table = with_prior.prior_.astype(np.float64)
    vocab = with_prior.featurizer_.vocabulary_
    assert table.shape == (with_prior.featurizer_.n_features, 16) and not table[0].any()
    has_vector = np.abs(table).sum(axis=1) > 0
    assert has_vector[vocab["landlord"]] and has_vector[vocab["deposit"]]
    assert not any(has_vector[i] for k, i in vocab.items() if " " in k or k.startswith("#") or k.isdigit())


def test_prior_word_vectors_carry_meaning() -> None:
    from gqr.train._prior import encode_words

    v = encode_words(["landlord", "tenant", "eviction", "ibuprofen", "aspirin"], cache=False)
    cos = v @ v.T
    assert cos[0, 1] > cos[0, 3] and cos[0, 2] > cos[0, 4] and cos[3, 4] > cos[3, 0]


def test_onnx_with_prior_agrees_with_torch(with_prior: WideMLP) -> None:
    texts = perturbed(2000) + labelled("guarded").texts
    ref = with_prior.predict_proba(texts)
    got = run(session(with_prior.to_onnx()), with_prior.featurizer_, texts, batch_size=256)
    assert got.shape == ref.shape and np.abs(got - ref).max() < 0.03
    assert_padding_invariant(with_prior.to_onnx(), with_prior.featurizer_, pad=11)


@pytest.mark.parametrize("bad", [{"prior_dims": -1}, {"prior_dims": 385}, {"prior_dropout": 1.0}])
def test_prior_parameters_are_checked(bad: dict) -> None:
    with pytest.raises(gqr.InvalidInputError, match=f"widemlp parameter {next(iter(bad))}: expected"):
        WideMLP(**bad).fit(labelled("guarded"))
