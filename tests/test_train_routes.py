"""Routers for the user's own routes (gqr.train._routes): training, loading, the guard, route-wins, the threshold,
ONNX parity. Small routes (six examples each) on the shipped base: no GQR_DATA_DIR needed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")

import gqr
from gqr.train._onnx import run, session
from gqr.train._route_base import load_route_base
from gqr.train._routes import THRESHOLD_METHOD, fit_routes, train_route_model

ROUTES = {
    "travel": [
        "Book me a flight to Lisbon next Friday",
        "Which hotels near the airport have free shuttles?",
        "Do I need a visa to visit Japan?",
        "How much luggage can I bring on the plane?",
        "Find a cheap train ticket from Paris to Rome",
        "What is the best time of year to travel to Iceland?",
    ],
    "cooking": [
        "How long should I boil an egg for a runny yolk?",
        "Give me a recipe for vegetarian lasagna",
        "What can I use instead of butter when baking?",
        "How do I keep rice from sticking to the pot?",
        "What temperature should I roast a chicken at?",
        "Suggest a quick dinner with pasta and spinach",
    ],
    "billing": [
        "Why was I charged twice this month?",
        "How do I update the credit card on my account?",
        "Can I get a refund for my last invoice?",
        "Where can I download my receipts?",
        "My subscription payment failed, what now?",
        "How do I change my billing address?",
    ],
}
HELD_OUT = {
    "travel": ["Can you find me a flight to Berlin?", "Is there a direct train from Madrid to Barcelona?"],
    "cooking": ["How do I make pancakes without eggs?", "What spices go well with roasted carrots?"],
    "billing": ["I was charged the wrong amount on my invoice", "How do I get a copy of my last receipt?"],
}


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("routes")
    return fit_routes(ROUTES, out, name="shop", descriptions={"billing": "payments and invoices"})


@pytest.fixture(scope="module")
def router(trained: tuple[Path, Path]) -> gqr.Router:
    return gqr.load(trained[1])


def test_trains_and_loads_with_the_user_routes(trained: tuple[Path, Path], router: gqr.Router) -> None:
    onnx_path, card_path = trained
    assert onnx_path.name == "shop.onnx" and card_path.name == "shop.json"
    assert router.routes == ("travel", "cooking", "billing")
    card = json.loads(card_path.read_text(encoding="utf-8"))
    assert card["outputs"] == ["travel", "cooking", "billing", "off_topic", "unsafe", "other_language"]
    assert card["family"] == "routes" and card["variant"] == "guarded"
    assert card["training"]["descriptions"] == {"billing": "payments and invoices"}
    assert card["training"]["examples"] == {"travel": 6, "cooking": 6, "billing": 6}
    for route, texts in HELD_OUT.items():
        for text in texts:
            assert router.classify(text).route == route, text


def test_far_queries_are_rejected(router: gqr.Router) -> None:
    for text in ("Who won the football world cup in 1998?", "Write a Python function that reverses a list"):
        d = router.classify(text)
        assert d.route is None and d.reason in ("off_topic", "low_confidence"), (text, d)


def test_guard_rejects_toxic_and_foreign_text_of_a_routes_only_model(router: gqr.Router) -> None:
    for text in ("You are a worthless idiot and everyone hates you", "shut up you stupid bitch"):
        assert router.classify(text).reason == "unsafe", text
    for text in ("¿Dónde está la estación de tren más cercana?", "Wie viel kostet ein Flug nach Berlin?"):
        assert router.classify(text).reason == "other_language", text
    # the guard alone scores this 0.64 unsafe ("how do I make a ..." is a harm-request template); the route wins
    assert router.classify("how do i make a cheesecake").route == "cooking"


def test_a_route_wins_over_shipped_negatives_like_it(router: gqr.Router) -> None:
    base = load_route_base()
    travel_negatives = [t for t in base.negatives if {"train", "ticket"} <= set(t.lower().split())]
    assert len(travel_negatives) >= 5  # the shipped off-topic set holds travel requests ("book a train ticket")
    routed = [router.classify(t).route for t in travel_negatives]
    assert routed.count("travel") >= 0.8 * len(routed), list(zip(travel_negatives, routed, strict=True))


def test_threshold_is_calibrated_and_can_be_overridden(trained: tuple[Path, Path], tmp_path: Path) -> None:
    card = json.loads(trained[1].read_text(encoding="utf-8"))
    calibrated = card["training"]["threshold"]
    assert calibrated["method"] == THRESHOLD_METHOD and 0.0 < calibrated["value"] < 1.0
    assert card["thresholds"] == dict.fromkeys(ROUTES, calibrated["value"])
    _, card_path = fit_routes(ROUTES, tmp_path, name="strict", threshold=0.97)
    strict = gqr.load(card_path)
    assert strict.card["thresholds"] == dict.fromkeys(ROUTES, 0.97)
    assert strict.card["training"]["threshold"]["method"] == "given (threshold=)"
    assert strict.classify("Book me a flight to Lisbon next Friday").route in ("travel", None)
    assert strict.classify("Can you find me a flight to Berlin?").reason in (None, "low_confidence", "off_topic")


def test_onnx_graph_matches_the_numpy_source() -> None:
    model = train_route_model({k: v[:5] for k, v in ROUTES.items()}, threshold=0.5)
    texts = [t for ts in HELD_OUT.values() for t in ts] + ["zxqv flurb", "Je voudrais un café", "you idiot"]
    expected = model.scores(texts)
    got = run(session(model.to_onnx()), model.featurizer, texts)
    assert got.shape == (len(texts), len(model.outputs))
    np.testing.assert_allclose(got, expected, atol=2e-5)
    routes, off_topic, guard = got[:, : len(ROUTES)], got[:, len(ROUTES)], got[:, -2:].max(axis=1)
    np.testing.assert_allclose(routes.sum(axis=1) + off_topic / (1.0 - guard), 1.0, atol=1e-4)


def test_a_single_route_is_calibrated_against_the_negatives_alone() -> None:
    model = train_route_model({"cooking": ROUTES["cooking"]})
    assert model.outputs == ["cooking", "off_topic", "unsafe", "other_language"]
    assert 0.0 < model.threshold < 1.0
    scores = model.scores(["How long do I bake a potato?", "Who won the football world cup in 1998?"])
    assert scores[0, 0] >= model.threshold > scores[1, 0]
