"""The LLM prompt router: a zero-shot prompt asks a chat model for Law, Finance, Health or Other."""

from __future__ import annotations

import re
from collections.abc import Sequence

from gqr._decision import Decision

from ._base import DEFAULT_MAX_CHARS, failed, prechecked
from ._client import ChatClient, Reply

__all__ = ["PromptRouter"]

# The paper (Šléher et al. 2025) routes with a zero-shot prompt over the categories Law, Finance, Health and
# Other at temperature 0; its exact wording is not published with the gqr code, so this prompt is our faithful
# rewrite of that setup. The fixed system message comes first so servers can cache it across queries.
SYSTEM_PROMPT = """You are a query router. Classify the user's query into exactly one of these categories:
Law: legal questions (laws, contracts, courts, rights, crimes, regulations).
Finance: financial questions (money, banking, investing, taxes, insurance, markets).
Health: healthcare questions (medicine, symptoms, diseases, treatments, mental health).
Other: everything else, including other topics, toxic, hateful or abusive text, and text not in English.
Answer with one word: Law, Finance, Health or Other."""

_CATEGORY = re.compile(r"\b(law|finance|health(?:care)?|other)\b", re.IGNORECASE)
_ROUTE = {"law": "law", "finance": "finance", "health": "healthcare", "healthcare": "healthcare"}


def parse_category(text: str) -> str | None:
    """The first category named in ``text`` (``law``, ``finance``, ``healthcare`` or ``other``), else ``None``."""
    match = _CATEGORY.search(text)
    if match is None:
        return None
    word = match.group(1).lower()
    return _ROUTE.get(word, "other")


class PromptRouter:
    """Route with a chat LLM over any OpenAI-compatible API.

    The answer's first category decides: Law, Finance or Health route there, Other is a rejection with reason
    ``off_topic``. The LLM gives a hard label, so ``confidence`` is 1.0 for a parsed answer. An answer that names
    no category is a rejection with reason ``low_confidence`` (the model did not commit to a domain; confidence
    0.0); a call that gives no answer (server down, timeout, HTTP error, malformed response) is a rejection with
    reason ``error``. ``raw`` holds the reply: ``text`` or ``error``, ``latency_ms``, ``attempts``.
    """

    def __init__(self, client: ChatClient, *, max_chars: int = DEFAULT_MAX_CHARS, name: str = "prompt-router") -> None:
        self.client = client
        self.max_chars = max_chars
        self.name = name

    def __repr__(self) -> str:
        return f"PromptRouter({self.client!r})"

    def classify(self, text: str) -> Decision:
        return self.classify_batch([text])[0]

    def classify_batch(self, texts: Sequence[str]) -> list[Decision]:
        out, todo = prechecked(texts, self.max_chars)
        replies = self.client.complete_many([messages(texts[i]) for i in todo])
        for i, reply in zip(todo, replies, strict=True):
            out[i] = decide(reply)
        return out  # type: ignore[return-value]


def messages(text: str) -> list[dict[str, str]]:
    """The chat for one query: the fixed system prompt, then the query and a reminder of the answer format."""
    user = f"Query: {text}\nCategory (Law, Finance, Health or Other):"
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def decide(reply: Reply) -> Decision:
    if reply.text is None:
        return failed(reply)
    category = parse_category(reply.text)
    raw = reply.to_dict()
    if category is None:
        return Decision(route=None, confidence=0.0, reason="low_confidence", raw=raw)
    if category == "other":
        return Decision(route=None, confidence=1.0, scores={"other": 1.0}, reason="off_topic", raw=raw)
    return Decision(route=category, confidence=1.0, scores={category: 1.0}, raw=raw)  # type: ignore[arg-type]
