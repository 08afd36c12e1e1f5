"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from llm_server import LLMServer


@pytest.fixture(scope="session")
def llm_server() -> Iterator[LLMServer]:
    """A real llama.cpp server (xllamacpp) with SmolLM2-135M-Instruct on a free 127.0.0.1 port, for the session."""
    with LLMServer() as server:
        yield server
