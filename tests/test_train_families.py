"""Every model family through one contract: parameters checked before any data is read, train → ONNX export →
``gqr.load`` of the written card → the loaded model agrees with the source model's ``predict_proba``."""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _train_toy import TEXTS, assert_padding_invariant, decision_agreement, labelled, perturbed

import gqr
from gqr._featurize import Featurizer
from gqr.train import FAMILIES, LabelledSet, Trainer, run, session, sha256_of, train, trainer_class


@dataclass(frozen=True)
class Family:
    params: dict[str, Any]
    tol: float  # largest |ONNX score - source score| on the toy texts
    copies: int = 0  # perturbed copies of each toy training text
    all_labelled: bool = False  # every training text needs an output (no target -1)
    bad: dict[str, Any] = field(default_factory=dict)  # a parameter value the family refuses


FAMILY: dict[str, Family] = {
    "svm": Family({"C": 1.0, "min_df": 1}, 1e-5, copies=5, bad={"balance": 2}),
    "widemlp": Family(
        {"epochs": 30, "batch_size": 8, "min_df": 1, "threads": 1, "table_dtype": "float32"},
        1e-3,
        bad={"table_dtype": "int4"},
    ),
    "fasttext": Family(
        {"dim": 16, "epochs": 100, "lr": 0.5, "min_df": 1, "table_dtype": "float32"},
        2e-4,
        all_labelled=True,
        bad={"loss": "hinge"},
    ),
    "xgboost": Family(
        {
            "n_estimators": 40,
            "max_depth": 4,
            "subsample": 1.0,
            "colsample_bytree": 1.0,
            "min_df": 1,
            "threads": 1,
            "min_child_weight": 0.1,
        },
        1e-5,
        all_labelled=True,
        bad={"learning_rate": 0},
    ),
}
STRICT = ["law", "finance", "healthcare"]


def test_every_family_is_tested() -> None:
    assert sorted(FAMILY) == sorted(FAMILIES)


def sets(family: str, variant: str) -> tuple[LabelledSet, LabelledSet]:
    """Toy training and eval sets (a family that needs an output per text trains strict without outliers)."""
    spec = FAMILY[family]
    outliers = not (variant == "strict" and spec.all_labelled)
    return labelled(variant, outliers=outliers, copies=spec.copies), labelled(variant, copies=1, seed=1)


@pytest.fixture(scope="module", params=sorted(FAMILY))
def trained(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Any]:
    family = request.param
    train_set, eval_set = sets(family, "guarded")
    out = tmp_path_factory.mktemp(family)
    return family, train(
        family, "guarded", out_dir=out, params=FAMILY[family].params, train_set=train_set, eval_set=eval_set
    )


def test_fit_learns_the_training_texts(trained) -> None:
    _, result = trained
    data = labelled("guarded")
    assert (result.estimator.predict_proba(data.texts).argmax(axis=1) == data.targets).mean() >= 0.9


def test_onnx_agrees_with_the_source_model(trained) -> None:
    family, result = trained
    est = result.estimator
    texts = [*perturbed(3000), *labelled("guarded").texts, "", "zzzz qqqq"]
    ref = est.predict_proba(texts)
    got = run(session(result.onnx_path), est.featurizer_, texts)
    assert got.shape == ref.shape == (len(texts), 6) and got.dtype == np.float32
    assert np.abs(got - ref).max() < FAMILY[family].tol
    assert decision_agreement(got, ref, est.outputs_) >= 0.999


def test_the_loaded_card_scores_as_the_source_model(trained) -> None:
    family, result = trained
    router = gqr.load(str(result.card_path))
    texts = [*perturbed(300, seed=1), *labelled("guarded").texts]
    decisions = router.classify_batch(texts)
    scored = [i for i, d in enumerate(decisions) if d.scores]  # texts with a known token reach the model
    assert len(scored) > 0.9 * len(texts)
    got = np.array([list(decisions[i].scores.values()) for i in scored], dtype=np.float32)
    ref = result.estimator.predict_proba([texts[i] for i in scored])
    assert list(decisions[scored[0]].scores) == list(result.estimator.outputs_)
    assert np.abs(got - ref).max() < FAMILY[family].tol
    card = json.loads(result.card_path.read_text(encoding="utf-8"))
    assert card["thresholds"] == pytest.approx(result.thresholds, abs=1e-6) and card["family"] == family
    assert card["onnx"] == {
        "file": result.onnx_path.name,
        "sha256": sha256_of(result.onnx_path),
        "bytes": result.onnx_path.stat().st_size,
    }
    assert card["training"]["params"] == result.estimator.get_params()
    assert card["training"]["n_train"] == len(sets(family, "guarded")[0])
    assert card["training"]["sources"]["law"] == ["toy_law"]


def test_padding_does_not_change_scores(trained) -> None:
    _, result = trained
    assert_padding_invariant(result.onnx_path.read_bytes(), result.estimator.featurizer_, pad=13)


def test_params_come_from_the_signature_and_round_trip(trained) -> None:
    _, result = trained
    est = result.estimator
    params = est.get_params()
    assert list(params) == list(inspect.signature(type(est)).parameters)
    assert json.loads(json.dumps(params)) == params
    assert set(params["featurizer"]) == set(inspect.signature(Featurizer).parameters)
    assert type(est)(**params).get_params() == params
    assert params["featurizer"]["min_df"] == 1  # given flat, kept in the nested settings


@pytest.mark.parametrize("family", sorted(FAMILY))
def test_strict_pipeline_writes_a_loadable_model_again_byte_for_byte(family: str, tmp_path: Path) -> None:
    train_set, eval_set = sets(family, "strict")
    params = FAMILY[family].params
    result = train(family, "strict", out_dir=tmp_path, params=params, train_set=train_set, eval_set=eval_set)
    card = json.loads(result.card_path.read_text(encoding="utf-8"))
    assert card["outputs"] == STRICT and card["name"] == f"{family}-strict"
    routes = [d.route for d in gqr.load(str(result.card_path)).classify_batch(TEXTS["law"] + TEXTS["healthcare"])]
    assert routes.count("law") >= 5 and routes.count("healthcare") >= 5
    again = train(family, "strict", out_dir=tmp_path / "again", params=params, train_set=train_set, eval_set=eval_set)
    assert sha256_of(again.onnx_path) == card["onnx"]["sha256"]  # seeded: the same bytes


@pytest.fixture
def no_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading the data fails the test: parameters must be refused before."""

    def build(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("data was read before the parameters were checked")

    monkeypatch.setattr("gqr.train._pipeline.build", build)


@pytest.mark.parametrize("family", sorted(FAMILY))
def test_a_bad_parameter_is_refused_before_any_data_is_read(family: str, tmp_path: Path, no_data: None) -> None:
    ((name, value),) = FAMILY[family].bad.items()
    with pytest.raises(gqr.InvalidInputError, match=rf"^{family} parameter {name}: expected .+, got {value!r}$"):
        train(family, "guarded", out_dir=tmp_path, params={name: value})
    with pytest.raises(gqr.InvalidInputError, match=r"featurizer: max_tokens must be a positive int, got 0"):
        train(family, "guarded", out_dir=tmp_path, params={"max_tokens": 0})
    with pytest.raises(gqr.InvalidInputError, match=r"featurizer: expected settings among .*got unknown \['nope'\]"):
        train(family, "guarded", out_dir=tmp_path, params={"featurizer": {"nope": 1}})
    with pytest.raises(gqr.InvalidInputError, match=r"featurizer: expected None or a mapping of settings, got 'x'"):
        train(family, "guarded", out_dir=tmp_path, params={"featurizer": "x"})
    with pytest.raises(gqr.InvalidInputError, match=rf"family '{family}' takes the parameters .*got unknown \['zz'\]"):
        train(family, "guarded", out_dir=tmp_path, params={"zz": 3})
    with pytest.raises(gqr.InvalidInputError, match=r"seed: expected an int >= 0, got -1"):
        train(family, "guarded", out_dir=tmp_path, seed=-1)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("card", sorted((Path(__file__).parents[1] / "models").glob("*.json")), ids=lambda p: p.stem)
def test_the_params_of_a_shipped_card_make_its_trainer_again(card: Path) -> None:
    """Shipped cards store the Featurizer settings flat among the params (before ``featurizer`` was nested)."""
    card_dict = json.loads(card.read_text(encoding="utf-8"))
    params = card_dict["training"]["params"]
    trainer = trainer_class(card_dict["family"]).from_params(params)
    settings = {k: card_dict["featurizer"][k] for k in trainer.get_params()["featurizer"]}
    assert trainer.get_params()["featurizer"] == settings
    assert {k: v for k, v in trainer.get_params().items() if k != "featurizer"}.items() <= params.items()
    again = trainer_class(card_dict["family"]).from_params({**trainer.get_params(), "max_tokens": 7})
    assert again.get_params()["featurizer"]["max_tokens"] == 7  # a flat setting wins over the nested one


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1.5, "expected an int >= 1, got 1.5"),
        (True, "expected an int >= 1, got True"),
        ("3", "expected an int >= 1, got '3'"),
    ],
)
def test_types_are_checked_too(value: Any, message: str) -> None:
    with pytest.raises(gqr.InvalidInputError, match=f"widemlp parameter epochs: {message}"):
        trainer_class("widemlp")(epochs=value).validate()


def test_an_unknown_family_or_variant_is_refused(tmp_path: Path, no_data: None) -> None:
    with pytest.raises(gqr.InvalidInputError, match=r"expected a model family among .*got 'forest'"):
        train("forest", "guarded", out_dir=tmp_path)
    with pytest.raises(gqr.InvalidInputError, match=r"expected a variant among \['strict', 'guarded'\], got 'loose'"):
        train("svm", "loose", out_dir=tmp_path)


@pytest.mark.parametrize("family", [f for f, spec in FAMILY.items() if spec.all_labelled])
def test_families_that_need_an_output_per_text_refuse_outliers_without_one(family: str) -> None:
    with pytest.raises(gqr.InvalidInputError, match="target -1"):
        trainer_class(family).from_params(FAMILY[family].params).fit(labelled("strict"))


def test_every_trainer_subclasses_the_base_and_offers_only_the_three_verbs() -> None:
    for family in FAMILIES:
        cls = trainer_class(family)
        assert issubclass(cls, Trainer) and cls.family == family
        public = {n for n, v in vars(cls).items() if callable(v) and not n.startswith("_")}
        assert public == {"fit", "predict_proba", "to_onnx"}, family
