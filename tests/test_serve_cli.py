"""``gqr serve`` end to end: the CLI started as its own process with a real ONNX router, routing to real loopback
upstreams and rejecting without calling any."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from _router_model import build_model
from _serve_support import FakeUpstream, gqr_serve

from gqr import DOMAINS

pytestmark = pytest.mark.serve

QUERIES = {
    "law": "Can my landlord evict me without a court order?",
    "finance": "Should I invest my retirement savings in index funds or bonds?",
    "healthcare": "What are the common symptoms of type 2 diabetes and how is it treated?",
}
REJECT = "Who won the football world cup in 2014?"


@pytest.fixture
def upstreams() -> Iterator[dict[str, FakeUpstream]]:
    ups = {d: FakeUpstream(d) for d in DOMAINS}
    yield ups
    for up in ups.values():
        up.close()


def routes_toml(upstreams: dict[str, FakeUpstream], router: str = "") -> str:
    ups = "".join(f'[upstreams.{d}]\nbase_url = "{up.base_url}"\nmodel = "{d}-llm"\n\n' for d, up in upstreams.items())
    return f"{router}\n{ups}[rejections]\noff_topic = 'Only law, money and health here.'\n"


def check_routes_and_rejects(url: str, upstreams: dict[str, FakeUpstream]) -> None:
    with httpx.Client(base_url=url, trust_env=False, timeout=10) as client:
        decisions = client.post("/v1/classify", json={"texts": [*QUERIES.values(), REJECT]}).json()["decisions"]
        assert [d["label"] for d in decisions] == [*DOMAINS, "ood"]
        for domain, text in QUERIES.items():
            r = client.post(
                "/v1/chat/completions", json={"model": "x", "messages": [{"role": "user", "content": text}]}
            )
            assert r.status_code == 200 and r.headers["x-gqr-route"] == domain
            assert r.json()["choices"][0]["message"]["content"] == upstreams[domain].content()
            assert upstreams[domain].received[-1]["body"]["model"] == f"{domain}-llm"
        calls = sum(len(up.received) for up in upstreams.values())
        r = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": REJECT}]})
        assert r.status_code == 200 and r.headers["x-gqr-route"] == "rejected"
        assert r.headers["x-gqr-reason"] == decisions[-1]["reason"]
        assert sum(len(up.received) for up in upstreams.values()) == calls  # no upstream was called


def test_serves_the_model_named_in_the_config(tmp_path: Path, upstreams: dict[str, FakeUpstream]) -> None:
    (tmp_path / "models").mkdir()
    build_model(tmp_path / "models", "tiny-guarded")
    config = tmp_path / "routes.toml"
    config.write_text(routes_toml(upstreams, '[router]\nmodel = "models/tiny-guarded.json"'), encoding="utf-8")
    with gqr_serve(config) as url:  # the model path is relative to the config file, not to the working directory
        assert httpx.get(f"{url}/healthz", trust_env=False).json() == {"status": "ok", "model": "tiny-guarded"}
        check_routes_and_rejects(url, upstreams)


def test_default_model_routes_and_rejects(tmp_path: Path, upstreams: dict[str, FakeUpstream]) -> None:
    import gqr

    config = tmp_path / "routes.toml"
    config.write_text(routes_toml(upstreams), encoding="utf-8")  # no [router]: the default model
    with gqr_serve(config) as url:
        assert httpx.get(f"{url}/healthz", trust_env=False).json() == {"status": "ok", "model": gqr.load().name}
        check_routes_and_rejects(url, upstreams)
