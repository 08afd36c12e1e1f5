"""Guarding a whole chat conversation: which messages are checked, and how their decisions combine into one.

The rule (the same for every classifier):

- the **last user message decides the route**: its route, or its rejection (off topic, low confidence, ...);
- any other checked message that is **unsafe**, **in another language**, **too long to check** or could not be
  classified (``error``) **rejects the whole request**, whatever the last user message says; off-topic or
  low-confidence earlier messages (a greeting, a system prompt such as "You are a helpful assistant") do not;
- which messages are checked is set per deployment (``check`` in ``[router]`` of routes.toml):

  ============= ==============================================================================================
  ``user``      (default) every message the client writes: ``system`` / ``developer`` and every ``user``
  ``all``       those, plus ``assistant`` and ``tool`` messages, which reject only when ``unsafe`` (a client can
                forge earlier assistant turns; the upstream's own answers may well be off topic or long)
  ``last_user`` only the last user message (earlier messages reach the upstream unchecked)
  ============= ==============================================================================================

Text parts of multi-part ``content`` are joined and checked as one text; other parts (images, audio) are not
text and are not checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from gqr._decision import Decision
from gqr._errors import InvalidInputError

__all__ = ["CHECKS", "Check", "Turn", "Verdict", "checked_turns", "verdict"]

Check = Literal["user", "all", "last_user"]
CHECKS: tuple[str, ...] = get_args(Check)
"""The values of ``check``: which messages of a conversation are classified."""

_CLIENT_ROLES = ("system", "developer", "user")
_OTHER_ROLES = ("assistant", "tool", "function")
_ANYWHERE = ("unsafe", "other_language", "too_long", "error")  # reasons that reject from any checked client message
_ANSWER = ("unsafe", "error", "too_long")  # ... from an assistant or tool message (check = "all")


@dataclass(frozen=True, slots=True)
class Turn:
    """One message to classify: its index in ``messages``, its role, its text, and whether it decides the route."""

    index: int
    role: str
    text: str
    decides: bool = False


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision for a conversation and the message it comes from (``index`` into ``messages``, ``role``)."""

    decision: Decision
    index: int
    role: str


def _text(content: Any, where: str, role: str) -> str | None:
    """The text of a message's content (``None`` when it has none, as an assistant message with tool calls)."""
    if isinstance(content, str):
        return content
    if content is None and role in _OTHER_ROLES:
        return None
    if isinstance(content, list) and all(isinstance(p, dict) for p in content):
        texts = [p.get("text") for p in content if p.get("type") == "text"]
        bad = [t for t in texts if not isinstance(t, str)]
        if bad:
            raise InvalidInputError(
                f"{where}.content: expected each text part to have a string 'text', got {_json(bad[0])}"
            )
        return "\n".join(texts)  # type: ignore[arg-type]
    raise InvalidInputError(f"{where}.content: expected a string or a list of parts, got {content!r:.80}")


def checked_turns(messages: Any, check: str = "user", max_messages: int | None = None) -> list[Turn]:
    """The messages of a chat request to classify under ``check``; the last user message is marked ``decides``.

    Raises :class:`~gqr.InvalidInputError` naming the message when the list or a message is malformed.
    """
    if check not in CHECKS:
        raise InvalidInputError(f"check: expected one of {CHECKS}, got {check!r}")
    if not isinstance(messages, list) or not messages:
        raise InvalidInputError(f"messages: expected a non-empty list, got {_json(messages)}")
    if max_messages is not None and len(messages) > max_messages:
        raise InvalidInputError(f"messages: expected at most {max_messages}, got {len(messages)}")
    roles = []
    for i, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if not isinstance(role, str):
            raise InvalidInputError(f"messages[{i}]: expected an object with a string 'role', got {_json(message)}")
        roles.append(role)
    if "user" not in roles:
        raise InvalidInputError("messages: expected at least one message with role 'user', got none")
    last_user = len(roles) - 1 - roles[::-1].index("user")
    turns = []
    for i, (message, role) in enumerate(zip(messages, roles, strict=True)):
        wanted = i == last_user or (check != "last_user" and (role in _CLIENT_ROLES or check == "all"))
        if not wanted:
            continue
        text = _text(message.get("content"), f"messages[{i}] ({role})", role)
        if text is not None:
            turns.append(Turn(i, role, text, decides=i == last_user))
    return turns


def verdict(turns: Sequence[Turn], decisions: Sequence[Decision]) -> Verdict:
    """Combine one decision per turn: the first message that rejects from anywhere, else the deciding message."""
    if len(turns) != len(decisions):
        raise InvalidInputError(f"decisions: expected one per turn ({len(turns)}), got {len(decisions)}")
    deciding = None
    for turn, decision in zip(turns, decisions, strict=True):
        if turn.decides:
            deciding = Verdict(decision, turn.index, turn.role)
        reasons = _ANYWHERE if turn.role in _CLIENT_ROLES else _ANSWER
        if decision.route is None and decision.reason in reasons:
            return Verdict(decision, turn.index, turn.role)
    if deciding is None:
        raise InvalidInputError("turns: expected one that decides the route (the last user message), got none")
    return deciding


def _json(value: Any) -> str:
    import json

    try:
        return json.dumps(value)[:80]
    except (TypeError, ValueError):
        return type(value).__name__
