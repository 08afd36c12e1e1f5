"""The core for models of the user's own routes: cards, decisions and the router with routes other than
law / finance / healthcare (the route model trainer and route files are tested elsewhere)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from _router_model import CUSTOM, TRAIN, build_model

import gqr
from gqr._decision import check_route_name
from gqr._policy import decide, one_row_rule, routes_of
from gqr._runtime import card_sha256

OUTPUTS = ["billing", "tech_support", "off_topic", "unsafe", "other_language"]


@pytest.fixture(scope="module")
def custom(tmp_path_factory: pytest.TempPathFactory) -> gqr.Router:
    card = build_model(tmp_path_factory.mktemp("custom"), "support-guarded", OUTPUTS, train={**TRAIN, **CUSTOM})
    return gqr.load(card)


def test_router_routes_to_the_cards_own_routes(custom: gqr.Router) -> None:
    assert custom.routes == ("billing", "tech_support")
    assert custom.labels == ("billing", "tech_support", "ood")
    d = custom.classify("I was charged twice, can I get a refund on the invoice?")
    assert (d.route, d.label, d.reason) == ("billing", "billing", None)
    assert set(d.scores) == set(OUTPUTS)
    assert custom.classify("The app crashes when I open settings").route == "tech_support"


def test_rejections_keep_their_reasons(custom: gqr.Router) -> None:
    texts = ["You stupid worthless idiot moron", "Wie spät ist es heute Abend?", "Tell me a joke about cats."]
    reasons = [d.reason for d in custom.classify_batch(texts)]
    assert reasons == ["unsafe", "other_language", "off_topic"]
    assert custom.predict(texts).tolist() == [2, 2, 2]  # index of "ood" in custom.labels


def test_batch_agrees_with_single_queries(custom: gqr.Router) -> None:
    texts = [t for route in ("billing", "tech_support", "unsafe", "off_topic") for t in {**TRAIN, **CUSTOM}[route]]
    batch = custom.classify_batch(texts)
    assert [(d.route, d.reason) for d in batch] == [(d.route, d.reason) for d in map(custom.classify, texts)]
    assert [(o[0], o[1]) for o in custom.outcomes(texts)] == [(d.route, d.label) for d in batch]
    assert custom.predict(texts).tolist() == [custom.labels.index(d.label) for d in batch]


def test_decide_and_one_row_rule_agree_for_any_routes() -> None:
    outputs = ["a", "b", "c", "d", "unsafe"]
    thresholds = {"a": 0.5, "b": 0.2, "c": 0.9, "d": 0.0}
    scores = np.random.default_rng(0).random((300, len(outputs)), dtype=np.float32)
    label, reason, confidence = decide(scores, outputs, thresholds)
    rule = one_row_rule(outputs, thresholds)
    got = [rule(row) for row in scores.tolist()]
    assert [g[0] for g in got] == label.tolist()
    assert [g[1] for g in got] == reason.tolist()
    assert np.allclose([g[2] for g in got], confidence)
    assert set(label.tolist()) == {0, 1, 2, 3, 4}  # 4 = len(routes): rejected
    assert routes_of(outputs) == ("a", "b", "c", "d")


@pytest.mark.parametrize("name", ["off_topic", "unsafe", "ood", "low_confidence", "", " x", "a b", "-x", "x" * 65, 3])
def test_bad_route_names_are_refused(name: object) -> None:
    with pytest.raises(gqr.InvalidInputError, match="route"):
        check_route_name(name)
    with pytest.raises(gqr.InvalidInputError):
        gqr.Decision(route=name, confidence=0.5)  # type: ignore[arg-type]


def test_good_route_names_are_kept() -> None:
    for name in ("travel", "tech_support", "Kitchen-Dining", "v2.billing", "a" * 64):
        assert check_route_name(name) == name
        assert gqr.Decision(route=name, confidence=1.0).label == name


@pytest.mark.parametrize(
    ("outputs", "thresholds"),
    [
        (["off_topic", "unsafe"], {}),  # no route
        (["billing", "off_topic", "tech_support"], {"billing": 0.5, "tech_support": 0.5}),  # route after a reject
        (["billing", "billing"], {"billing": 0.5}),  # repeated
        (["billing", "ood"], {"billing": 0.5, "ood": 0.5}),  # a route named like a label
        (["billing", "tech_support"], {"billing": 0.5}),  # a route without threshold
    ],
)
def test_cards_with_bad_routes_are_integrity_errors(
    tmp_path: Path, custom: gqr.Router, outputs: list[str], thresholds: dict[str, float]
) -> None:
    card = dict(custom.card)
    card.update(outputs=outputs, thresholds=thresholds)
    card["card_sha256"] = card_sha256(card)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(card), encoding="utf-8")
    (tmp_path / card["onnx"]["file"]).write_bytes(custom._model.onnx_path.read_bytes())
    with pytest.raises(gqr.ModelIntegrityError, match=r"outputs|thresholds"):
        gqr.load(path)


def test_gqr_bench_refuses_a_model_of_other_routes(custom: gqr.Router) -> None:
    from gqr.bench import evaluate

    with pytest.raises(gqr.InvalidInputError, match="--data"):
        evaluate(custom, id_test=[], ood_test=[])


def test_make_card_accepts_own_routes() -> None:
    from gqr.train._card import make_card

    card = make_card(
        name="r",
        family="routes",
        variant="guarded",
        description="d",
        outputs=OUTPUTS,
        thresholds={"billing": 0.3, "tech_support": 0.4},
        featurizer={},
        training={},
    )
    assert card["thresholds"] == {"billing": 0.3, "tech_support": 0.4}
    with pytest.raises(gqr.InvalidInputError, match="thresholds"):
        make_card(
            name="r",
            family="routes",
            variant="guarded",
            description="d",
            outputs=OUTPUTS,
            thresholds={"law": 0.3},
            featurizer={},
            training={},
        )
