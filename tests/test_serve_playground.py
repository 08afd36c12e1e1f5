"""The playground page at ``/`` in a real headless Chromium (Debian's ``chromium``, driven by Playwright): a query
shows its route, confidence, reason and score bars; the counts since start follow the service's decisions; the page
loads nothing from anywhere but the service.

Needs ``chromium`` on the PATH (or its path in ``GQR_CHROMIUM``); ``.ci/run`` installs it with apt. Without it the
test fails, saying so: it does not skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from _serve_support import DOMAINS_TEXT, OUTPUTS, FakeUpstream, KeywordClassifier, running

from gqr import DOMAINS
from gqr.serve import Limits, Routes, Upstream, create_app

pytestmark = pytest.mark.serve

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("GQR_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail(
            "the playground test needs Chromium: apt-get install -y chromium (as .ci/run does), "
            "or set GQR_CHROMIUM to a Chromium binary",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="module")
def service() -> Iterator[str]:
    ups = {d: FakeUpstream(d) for d in DOMAINS}
    upstreams = {d: Upstream(base_url=up.base_url, model=f"{d}-model") for d, up in ups.items()}
    routes = Routes(KeywordClassifier(), upstreams, limits=Limits(max_body_bytes=4096, max_text_chars=300))
    try:
        with running(create_app(routes)) as url:
            yield url
    finally:
        for up in ups.values():
            up.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the playground test needs playwright: pip install -e '.[dev]'", pytrace=False)
    with sync_playwright() as p:
        # Playwright gives each launch a fresh temporary profile (--user-data-dir) and runs headless.
        chromium = p.chromium.launch(executable_path=path, args=FLAGS)
        yield chromium
        chromium.close()


def widths(page: Any, box: str) -> dict[str, float]:
    """Bar widths in % by row name, inside the element ``box``."""
    rows = page.locator(f"#{box} .row")
    return {
        rows.nth(i).get_attribute("data-name"): float(rows.nth(i).locator(".bar").evaluate("e => e.style.width")[:-1])
        for i in range(rows.count())
    }


def counts(page: Any, box: str) -> dict[str, int]:
    rows = page.locator(f"#{box} .row")
    return {
        rows.nth(i).get_attribute("data-name"): int(rows.nth(i).locator(".num").inner_text())
        for i in range(rows.count())
    }


def test_playground_routes_a_query_and_counts_live(service: str, browser: Any) -> None:
    page = browser.new_page(bypass_csp=True)  # the page's policy forbids eval, which wait_for_function uses
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    response = page.goto(service + "/")
    assert response is not None and response.status == 200
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert page.title() == "gqr playground"
    page.wait_for_function("document.querySelectorAll('#routes .row').length === 3")
    assert page.inner_text("#model") == "keywords"
    assert page.inner_text("#names") == "law, finance, healthcare"  # the model's routes, from /stats
    assert counts(page, "routes") == dict.fromkeys(DOMAINS, 0)

    page.fill("#query", DOMAINS_TEXT["law"])
    page.click("#go")
    page.wait_for_selector("#result:not([hidden])")
    expected = httpx.post(f"{service}/v1/classify", json={"text": DOMAINS_TEXT["law"]}, trust_env=False).json()
    decision = expected["decision"]
    assert page.inner_text("#route") == "law"
    assert page.inner_text("#confidence") == f"{decision['confidence']:.3f}"
    assert page.inner_text("#reason") == "none (routed)"
    bars = widths(page, "scores")
    assert list(bars) == list(OUTPUTS)  # one bar per model output
    assert bars == {k: pytest.approx(100 * v, abs=0.06) for k, v in decision["scores"].items()}
    assert max(bars, key=bars.get) == "law"

    page.fill("#query", "you idiot")
    page.click("#go")
    page.wait_for_function("document.getElementById('route').textContent === 'rejected'")
    assert page.inner_text("#reason") == "unsafe"
    assert max(widths(page, "scores"), key=widths(page, "scores").get) == "unsafe"

    # Decisions made elsewhere (here a chat completion) show up in the counts without reloading the page.
    r = httpx.post(
        f"{service}/v1/chat/completions",
        json={"messages": [{"role": "user", "content": DOMAINS_TEXT["finance"]}]},
        trust_env=False,
    )
    assert r.headers["x-gqr-route"] == "finance"
    page.wait_for_function(
        "document.querySelector('#routes .row[data-name=finance] .num').textContent === '1'", timeout=10_000
    )
    assert counts(page, "routes") == {"law": 2, "finance": 1, "healthcare": 0}  # the page's own + our check above
    assert counts(page, "rejections")["unsafe"] == 1
    assert page.text_content("#total") == "(4 decisions)"

    page.fill("#query", "x" * 1000)  # over max_text_chars: a rule decides, without model scores
    page.click("#go")
    page.wait_for_function("document.getElementById('reason').textContent === 'too_long'")
    assert page.inner_text("#scores").startswith("No model scores")
    page.fill("#query", "x" * 5000)  # over max_body_bytes: the service's error is shown, not a broken page
    page.click("#go")
    page.wait_for_selector("#error:not([hidden])")
    assert "request body: expected at most 4096 bytes" in page.inner_text("#error")

    assert requested and all(url.startswith(service + "/") for url in requested), requested
    page.close()
