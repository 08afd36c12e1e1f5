"""``--backend`` on the CLI: an LLM backend of gqr.guards against the real local LLM server."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from llm_server import LLMServer

import gqr


def gqr_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gqr", *args], capture_output=True, text=True, timeout=180)


@pytest.mark.llm
def test_classify_with_the_prompt_router_backend(llm_server: LLMServer) -> None:
    server = ["--base-url", llm_server.base_url, "--llm-model", llm_server.model]
    res = gqr_cli("classify", "--backend", "prompt-router", *server, "--json", "How do index funds work?", "")
    assert res.returncode == 0, res.stderr
    first, empty = (json.loads(line) for line in res.stdout.splitlines())
    assert first["label"] in gqr.LABELS and isinstance(first["raw"]["text"], str)
    assert (empty["label"], empty["reason"]) == ("ood", "empty")


def test_backend_options_need_a_backend_and_a_server() -> None:
    res = gqr_cli("classify", "--base-url", "http://127.0.0.1:9/v1", "What is a lien?")
    assert res.returncode == 2 and "need --backend" in res.stderr
    res = gqr_cli("classify", "--backend", "prompt-router", "What is a lien?")
    assert res.returncode == 2 and "needs ['base_url', 'model']" in res.stderr
    res = gqr_cli("classify", "--backend", "nope", "--base-url", "http://127.0.0.1:9/v1", "--llm-model", "m", "x")
    unboxed = " ".join(res.stderr.replace("│", " ").split())  # click's usage errors come in a box
    assert res.returncode == 2 and "'nope' is not one of 'prompt-router', 'llama-guard'" in unboxed


@pytest.mark.llm
def test_bench_with_the_prompt_router_backend(llm_server: LLMServer) -> None:
    server = ["--base-url", llm_server.base_url, "--llm-model", llm_server.model]
    res = gqr_cli(
        "bench",
        "--backend",
        "prompt-router",
        *server,
        "--json",
        "--limit-per-set",
        "1",
        "--latency-queries",
        "2",
        "--no-short",
    )
    assert res.returncode == 0, res.stderr
    result = json.loads(res.stdout)
    assert result["model"] == "prompt-router"
    assert 0.0 <= result["gqr_score"] <= 1.0 and len(result["ood_acc_per_set"]) == 7
