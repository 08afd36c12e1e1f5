"""Serving a model of the user's own routes: one route file holds each route's examples, description and upstream;
``gqr serve -m my-router/ --config routes.toml`` routes to those upstreams and rejects with route-neutral texts."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from _router_model import CUSTOM, TRAIN, build_model
from _serve_support import FakeUpstream, gqr_serve

import gqr
from gqr import InvalidInputError
from gqr._routes import _ROUTE_KEYS
from gqr.serve import DEFAULT_MESSAGES, Rejection, Routes, Upstream, default_messages, read_config
from gqr.serve._config import _Route

pytestmark = pytest.mark.serve

ROUTES = ("billing", "tech_support")
OUTPUTS = [*ROUTES, "off_topic", "unsafe", "other_language"]
QUERIES = {
    "billing": "I was charged twice, can I get a refund on the invoice?",
    "tech_support": "The app crashes when I open the settings page.",
}
OFF_TOPIC = "Tell me a joke about cats."


@pytest.fixture(scope="module")
def card(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_model(tmp_path_factory.mktemp("custom"), "support-guarded", OUTPUTS, train={**TRAIN, **CUSTOM})


@pytest.fixture(scope="module")
def upstreams() -> Iterator[dict[str, FakeUpstream]]:
    ups = {r: FakeUpstream(r) for r in ROUTES}
    yield ups
    for up in ups.values():
        up.close()


def route_file(upstreams: dict[str, FakeUpstream]) -> str:
    """A route file as ``gqr train --routes`` reads it, with each route's upstream beside its examples."""
    tables = []
    for route, up in upstreams.items():
        examples = json.dumps(CUSTOM[route][:3])
        upstream = f'{{ base_url = "{up.base_url}", model = "{route}-llm", timeout = 5 }}'
        tables.append(
            f'[routes.{route}]\ndescription = "{route} questions"\nexamples = {examples}\nupstream = {upstream}\n'
        )
    return "\n".join(tables)


def test_route_file_upstreams_are_read(tmp_path: Path, upstreams: dict[str, FakeUpstream]) -> None:
    path = tmp_path / "routes.toml"
    path.write_text(route_file(upstreams), encoding="utf-8")
    config = read_config(path)
    assert sorted(config.upstreams) == sorted(ROUTES)
    assert config.upstreams["billing"] == Upstream(
        base_url=upstreams["billing"].base_url, model="billing-llm", timeout=5
    )


def test_serve_reads_the_route_tables_the_trainer_reads() -> None:
    assert set(_Route.model_fields) == set(_ROUTE_KEYS)  # examples, description, upstream: one layout for both
    example = Path(__file__).resolve().parents[1] / "examples" / "support_routes.toml"
    trained = gqr.read_routes(example)
    assert read_config(example).upstreams == {r: Upstream(**spec.upstream) for r, spec in trained.items()}  # type: ignore[arg-type]


def test_neutral_rejection_texts_for_own_routes() -> None:
    assert default_messages(gqr.DOMAINS) == DEFAULT_MESSAGES
    own = default_messages(("billing", "tech_support", "sales"))
    assert own["off_topic"] == "I can only help with questions about billing, tech support or sales."
    assert "legal" not in own["low_confidence"] and "billing, tech support or sales" in own["low_confidence"]
    assert own["unsafe"] == DEFAULT_MESSAGES["unsafe"]


def test_routes_follow_the_models_routes(card: Path) -> None:
    router = gqr.load(card)
    up = Upstream(base_url="http://127.0.0.1:1/v1", model="m")
    routes = Routes(router, {"billing": up}, default_upstream=Upstream(base_url="http://127.0.0.1:2/v1", model="d"))
    assert routes.routes == ROUTES and routes.upstreams["billing"] is up
    assert routes.route(QUERIES["tech_support"]) == routes.upstreams["tech_support"]
    assert routes.route(OFF_TOPIC) == Rejection("off_topic", default_messages(ROUTES)["off_topic"])
    with pytest.raises(InvalidInputError) as info:
        Routes(router, {"billing": up, "law": up})
    message = str(info.value)
    assert "expected routes of model 'support-guarded' ('billing', 'tech_support'), got ['law']" in message
    with pytest.raises(InvalidInputError, match=r"got none for \['tech_support'\]"):
        Routes(router, {"billing": up})
    strict = Routes(router, {"billing": up, "tech_support": up}, thresholds={"billing": 1.0, "tech_support": 1.0})
    assert strict.classify(QUERIES["billing"]).reason == "low_confidence"


def test_gqr_serve_serves_a_route_file(tmp_path: Path, card: Path, upstreams: dict[str, FakeUpstream]) -> None:
    config = tmp_path / "routes.toml"
    config.write_text(route_file(upstreams), encoding="utf-8")
    with gqr_serve(config, "-m", str(card)) as url, httpx.Client(base_url=url, trust_env=False, timeout=10) as client:
        assert client.get("/healthz").json() == {"status": "ok", "model": "support-guarded"}
        for route, text in QUERIES.items():
            r = client.post(
                "/v1/chat/completions", json={"model": "x", "messages": [{"role": "user", "content": text}]}
            )
            assert r.status_code == 200 and r.headers["x-gqr-route"] == route
            assert r.json()["choices"][0]["message"]["content"] == upstreams[route].content()
            assert upstreams[route].received[-1]["body"]["model"] == f"{route}-llm"
        r = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": OFF_TOPIC}]})
        assert r.headers["x-gqr-reason"] == "off_topic"
        assert r.json()["choices"][0]["message"]["content"] == default_messages(ROUTES)["off_topic"]
        models = client.get("/v1/models").json()["data"]
        assert [(m["id"], m["routes"]) for m in models] == [
            ("billing-llm", ["billing"]),
            ("tech_support-llm", ["tech_support"]),
        ]
        assert client.get("/stats").json()["routes"] == {"billing": 1, "tech_support": 1}
        assert 'gqr_routes_total{route="tech_support"} 1\n' in client.get("/metrics").text


def test_gqr_serve_names_both_route_lists_on_a_mismatch(tmp_path: Path, card: Path) -> None:
    config = tmp_path / "routes.toml"
    config.write_text('[upstreams.law]\nbase_url = "http://127.0.0.1:1/v1"\nmodel = "m"\n', encoding="utf-8")
    res = subprocess.run(
        [sys.executable, "-m", "gqr", "serve", "--config", str(config), "--model", str(card)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 2
    assert res.stderr.strip() == (
        f"error: {config}: upstreams: expected routes of model 'support-guarded' ('billing', 'tech_support'),"
        " got ['law'] that it does not have"
    )
