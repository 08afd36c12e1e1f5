"""One labelled text."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Example"]


@dataclass(frozen=True, slots=True)
class Example:
    """A text with its GQR label.

    ``label`` is ``"law"``, ``"finance"``, ``"healthcare"`` or ``"ood"``; ``dataset`` names the source;
    ``reason`` is ``"off_topic"``, ``"unsafe"`` or ``"other_language"`` for ``"ood"`` and ``None`` otherwise.
    """

    text: str
    label: str
    dataset: str
    reason: str | None = None
