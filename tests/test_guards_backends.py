"""Each LLM backend end to end against a real local LLM server (llama.cpp serving SmolLM2-135M-Instruct).

A 135M model answers poorly, so these tests check the contract (valid decisions, raw output kept, parsing,
latency) rather than accuracy. Where a test needs a given answer, a llama.cpp grammar constrains the real model.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from _router_model import build_model
from llm_server import LLMServer, smollm2_gguf

import gqr
from gqr import Decision, InvalidInputError
from gqr.guards import (
    BACKENDS,
    Cascade,
    ChatClient,
    LlamaGuard,
    NemoGuard,
    PromptRouter,
    load_backend,
)
from gqr.guards._llama_guard import parse_verdict
from gqr.guards._prompt_router import parse_category

QUERIES = [
    "Can my landlord keep my security deposit?",
    "How do I invest in index funds?",
    "I have a fever and a headache, what should I take?",
    "Who won the football world cup in 2018?",
]
CATEGORY_GRAMMAR = 'root ::= "Law" | "Finance" | "Health" | "Other"'
LABEL_OF = {"law": "law", "finance": "finance", "healthcare": "healthcare", "other": "ood", None: "ood"}


def client(server: LLMServer, grammar: str | None = None, max_tokens: int = 6) -> ChatClient:
    extra = {"grammar": grammar} if grammar else None
    return ChatClient(server.base_url, server.model, timeout=60.0, max_tokens=max_tokens, extra_body=extra)


def constrained_router(server: LLMServer) -> PromptRouter:
    return PromptRouter(client(server, CATEGORY_GRAMMAR, max_tokens=3))


def assert_llm_raw(raw: dict) -> None:
    assert isinstance(raw["text"], str)
    assert raw["latency_ms"] > 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Law", "law"),
        ("  FINANCE!", "finance"),
        ("The answer is: Health.", "healthcare"),
        ("healthcare", "healthcare"),
        ("Category - other", "other"),
        ("law, or maybe finance", "law"),
        ("I think finance; not law", "finance"),
        ("lawyers and healthy people", None),
        ("", None),
    ],
)
def test_parse_category_takes_the_first_category_named(text: str, expected: str | None) -> None:
    assert parse_category(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("safe", ("safe", [])),
        ("unsafe\nS1,S10", ("unsafe", ["S1", "S10"])),
        ("  UNSAFE  s2 S14.", ("unsafe", ["S14"])),
        ("The message is safe. S1", ("safe", [])),
        ("S1: Violent Crimes.", (None, [])),
    ],
)
def test_parse_verdict(text: str, expected: tuple) -> None:
    assert parse_verdict(text) == expected


def test_llama_guard_prompt_drops_s6_by_default_and_categories_are_configurable() -> None:
    c = ChatClient("http://127.0.0.1:1/v1", "m")
    default = LlamaGuard(c, router="unused").prompt("What is a stock?")
    assert "S1: Violent Crimes." in default and "S14: Code Interpreter Abuse." in default
    assert "S6" not in default and "User: What is a stock?" in default
    custom = LlamaGuard(c, router="unused", categories={"S1": "Gambling."}).prompt("q")
    assert "S1: Gambling." in custom and "S2" not in custom
    with pytest.raises(InvalidInputError, match="S15"):
        LlamaGuard(c, categories=["S1", "S15"])


@pytest.mark.llm
def test_server_serves_the_gguf_from_the_smollm2_wheel(llm_server: LLMServer) -> None:
    assert smollm2_gguf().suffix == ".gguf" and smollm2_gguf().stat().st_size > 50_000_000
    models = httpx.get(f"{llm_server.base_url}/models", timeout=10).json()
    assert models["data"][0]["id"] == llm_server.model


@pytest.mark.llm
def test_prompt_router_end_to_end(llm_server: LLMServer) -> None:
    router = PromptRouter(client(llm_server))
    decisions = router.classify_batch(QUERIES)
    assert len(decisions) == len(QUERIES)
    for d in decisions:
        assert isinstance(d, Decision)
        assert_llm_raw(d.raw)
        assert d.label == LABEL_OF[parse_category(d.raw["text"])]  # the decision is what the text says
        assert d.reason in (None, "off_topic", "low_confidence")
    assert isinstance(router, gqr.Classifier)


@pytest.mark.llm
def test_constrained_prompt_router_always_parses(llm_server: LLMServer) -> None:
    decisions = constrained_router(llm_server).classify_batch(QUERIES)
    for d in decisions:
        assert d.raw["text"] in ("Law", "Finance", "Health", "Other")
        assert d.label == LABEL_OF[parse_category(d.raw["text"])]
        assert d.reason in (None, "off_topic") and d.confidence == 1.0


@pytest.mark.llm
def test_llama_guard_end_to_end(llm_server: LLMServer) -> None:
    guard = LlamaGuard(client(llm_server), router=constrained_router(llm_server))
    for d in guard.classify_batch(QUERIES[:2]):
        raw = d.raw.get("guard", d.raw)
        assert_llm_raw(raw)
        assert (raw["verdict"], raw["categories"]) == parse_verdict(raw["text"])
        if raw["verdict"] == "safe":
            assert d.label == LABEL_OF[parse_category(d.raw["router"]["text"])]
        else:
            assert d.reason == ("unsafe" if raw["verdict"] == "unsafe" else "low_confidence")


@pytest.mark.llm
def test_llama_guard_safe_defers_to_the_router_and_unsafe_rejects(llm_server: LLMServer) -> None:
    router = constrained_router(llm_server)
    safe = LlamaGuard(client(llm_server, 'root ::= "safe"'), router=router).classify_batch(QUERIES[:2])
    for d in safe:
        assert d.raw["guard"]["verdict"] == "safe"
        assert d.label == LABEL_OF[parse_category(d.raw["router"]["text"])]
    unsafe = LlamaGuard(client(llm_server, 'root ::= "unsafe\\nS1,S10"', max_tokens=12), router=router).classify(
        QUERIES[0]
    )
    assert (unsafe.route, unsafe.reason, unsafe.raw["categories"]) == (None, "unsafe", ["S1", "S10"])


@pytest.mark.llm
def test_nemo_end_to_end(llm_server: LLMServer) -> None:
    router = constrained_router(llm_server)
    guards = {
        None: NemoGuard(client(llm_server, max_tokens=4), router=router),
        "pass": NemoGuard(client(llm_server, 'root ::= "No"', max_tokens=2), router=router),
        "block": NemoGuard(client(llm_server, 'root ::= "Yes"', max_tokens=2), router=router),
    }
    try:
        free = guards[None].classify_batch(QUERIES[:2])
        passed = guards["pass"].classify_batch(QUERIES[:2])
        blocked = guards["block"].classify(QUERIES[0])
    finally:
        for g in guards.values():
            g.close()
    for d in free:
        raw = d.raw.get("guard", d.raw)
        assert isinstance(raw["text"], str) and raw["latency_ms"] > 0
        assert raw["blocked"] == (d.reason == "unsafe")
    for d in passed:
        assert d.raw["guard"] == {"text": "No", "blocked": False, "latency_ms": d.raw["guard"]["latency_ms"]}
        assert d.label == LABEL_OF[parse_category(d.raw["router"]["text"])]
    assert (blocked.route, blocked.reason, blocked.raw["text"], blocked.raw["blocked"]) == (None, "unsafe", "Yes", True)


@pytest.mark.llm
def test_cascade_sends_only_uncertain_queries_to_the_llm(llm_server: LLMServer, tmp_path: Path) -> None:
    fast = gqr.load(build_model(tmp_path, "widemlp-tiny"))
    texts = [*QUERIES, "Is a verbal contract legally binding in court?", "blorp zzkx qwv"]
    first = fast.classify_batch(texts)
    threshold = sorted(d.confidence for d in first)[len(texts) // 2]  # about half the queries are uncertain
    unsure = [i for i, d in enumerate(first) if d.confidence < threshold]
    assert 0 < len(unsure) < len(texts)
    cascade = Cascade(constrained_router(llm_server), fast=fast, threshold=threshold)
    decisions = cascade.classify_batch(texts)
    for i, d in enumerate(decisions):
        if i in unsure:
            assert d.raw["stage"] == "llm" and d.raw["fast"] == first[i].to_dict()
            assert d.label == LABEL_OF[parse_category(d.raw["llm"]["text"])]
        else:
            assert d.raw["stage"] == "fast"
            assert (d.route, d.reason, d.confidence) == (first[i].route, first[i].reason, first[i].confidence)
    assert (cascade.queries, cascade.calls) == (len(texts), len(unsure))
    assert cascade.llm_fraction == pytest.approx(len(unsure) / len(texts))


@pytest.mark.llm
def test_load_backend_builds_every_backend(llm_server: LLMServer, tmp_path: Path) -> None:
    opts = {"base_url": llm_server.base_url, "model": llm_server.model, "max_tokens": 3}
    card = build_model(tmp_path, "widemlp-tiny")
    built = {
        "prompt-router": load_backend("prompt-router", **opts),
        "llama-guard": load_backend("llama-guard", **opts, router=str(card)),
        "nemo": load_backend("nemo", **opts, router=str(card)),
    }
    built["cascade"] = load_backend(
        "cascade", **opts, fast=str(card), threshold=0.5, llm="llama-guard", router=str(card)
    )
    assert set(built) == set(BACKENDS)
    try:
        for name, backend in built.items():
            assert isinstance(backend, gqr.Classifier) and backend.name == name
        assert isinstance(built["cascade"].llm, LlamaGuard)
        [d] = built["cascade"].classify_batch(["How do I invest in index funds?"])
        assert d.raw["stage"] in ("fast", "llm")
    finally:
        built["nemo"].close()
