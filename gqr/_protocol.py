"""The one protocol every classifier in gqr offers (ONNX routers, LLM backends, cascades)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from gqr._decision import Decision

__all__ = ["Classifier"]


@runtime_checkable
class Classifier(Protocol):
    """Maps texts to decisions, one per text, in order."""

    name: str

    def classify(self, text: str) -> Decision: ...

    def classify_batch(self, texts: Sequence[str]) -> list[Decision]: ...
