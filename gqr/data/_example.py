"""One labelled text."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Example"]


@dataclass(frozen=True, slots=True)
class Example:
    """A text with its GQR label.

    ``label`` is ``"law"``, ``"finance"``, ``"healthcare"`` or ``"ood"``; ``dataset`` names the source;
    ``reason`` is ``"off_topic"``, ``"unsafe"`` or ``"other_language"`` for ``"ood"`` and ``None`` otherwise;
    ``title`` is the cleaned title of a title + body text (a Reddit post) when it can stand alone as a short
    query (see :func:`gqr.data._pools.pool`), else ``None``.
    """

    text: str
    label: str
    dataset: str
    reason: str | None = None
    title: str | None = None
