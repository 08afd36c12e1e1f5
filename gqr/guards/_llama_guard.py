"""Llama Guard 3 as the guard, a router model for the domain."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from gqr._decision import Decision
from gqr._errors import InvalidInputError
from gqr._protocol import Classifier

from ._base import DEFAULT_MAX_CHARS, GuardThenRoute, failed
from ._client import ChatClient, Reply

__all__ = ["CATEGORIES", "PAPER_CATEGORIES", "LlamaGuard"]

# The Llama Guard 3 hazard categories (MLCommons taxonomy), as written in its prompt.
CATEGORIES: dict[str, str] = {
    "S1": "Violent Crimes.",
    "S2": "Non-Violent Crimes.",
    "S3": "Sex Crimes.",
    "S4": "Child Exploitation.",
    "S5": "Defamation.",
    "S6": "Specialized Advice.",
    "S7": "Privacy.",
    "S8": "Intellectual Property.",
    "S9": "Indiscriminate Weapons.",
    "S10": "Hate.",
    "S11": "Self-Harm.",
    "S12": "Sexual Content.",
    "S13": "Elections.",
    "S14": "Code Interpreter Abuse.",
}
# The paper drops S6 "Specialized Advice": it flags exactly the legal, financial and medical advice we route.
PAPER_CATEGORIES: tuple[str, ...] = tuple(k for k in CATEGORIES if k != "S6")

_TEMPLATE = """Task: Check if there is unsafe content in 'User' messages in conversations according our safety \
policy with the below categories.

<BEGIN UNSAFE CONTENT CATEGORIES>
{categories}
<END UNSAFE CONTENT CATEGORIES>

<BEGIN CONVERSATION>

User: {query}

<END CONVERSATION>

Provide your safety assessment for ONLY THE LAST User message in the above conversation:
 - First line must read 'safe' or 'unsafe'.
 - If unsafe, a second line must include a comma-separated list of violated categories."""

_VERDICT = re.compile(r"\b(unsafe|safe)\b", re.IGNORECASE)
_CODE = re.compile(r"\bS(\d{1,2})\b")


def parse_verdict(text: str) -> tuple[str | None, list[str]]:
    """``("safe" | "unsafe" | None, categories)`` from a Llama Guard answer; the first verdict word decides."""
    match = _VERDICT.search(text)
    if match is None:
        return None, []
    verdict = match.group(1).lower()
    return verdict, [f"S{n}" for n in _CODE.findall(text[match.end() :])] if verdict == "unsafe" else []


class LlamaGuard(GuardThenRoute):
    """Llama Guard 3 over an OpenAI-compatible API; queries it calls safe go to ``router`` for the domain.

    The prompt lists ``categories`` (codes ``S1``..``S14``, or a mapping code -> description for a custom
    policy; default: all but S6, as in the paper) and is sent as the user message. ``unsafe`` is a rejection with
    reason ``unsafe``, the violated codes in ``raw["categories"]``; ``safe`` defers to ``router`` (any
    :class:`gqr.Classifier`, a model name, or ``None`` for ``gqr.load()``), whose decision is returned with
    ``raw = {"guard": ..., "router": ...}``. An answer with neither word is a rejection with reason
    ``low_confidence``; no answer is a rejection with reason ``error``.
    """

    def __init__(
        self,
        client: ChatClient,
        *,
        router: Classifier | str | None = None,
        categories: Sequence[str] | Mapping[str, str] = PAPER_CATEGORIES,
        max_chars: int = DEFAULT_MAX_CHARS,
        name: str = "llama-guard",
    ) -> None:
        if isinstance(categories, Mapping):
            policy = dict(categories)
        else:
            unknown = [c for c in categories if c not in CATEGORIES]
            if unknown:
                raise InvalidInputError(f"expected Llama Guard 3 codes {list(CATEGORIES)}, got unknown {unknown}")
            policy = {c: CATEGORIES[c] for c in categories}
        if not policy:
            raise InvalidInputError("expected at least one Llama Guard category, got none")
        self.client = client
        self.categories = policy
        self.max_chars = max_chars
        self.name = name
        self._router = router
        self._policy_text = "\n".join(f"{code}: {desc}" for code, desc in policy.items())

    def __repr__(self) -> str:
        return f"LlamaGuard({self.client!r}, categories={list(self.categories)})"

    def prompt(self, text: str) -> str:
        """The Llama Guard 3 task prompt for one user query."""
        return _TEMPLATE.format(categories=self._policy_text, query=text)

    def _verdicts(self, texts: list[str]) -> list[tuple[Decision | None, dict]]:
        replies = self.client.complete_many([[{"role": "user", "content": self.prompt(t)}] for t in texts])
        return [self._judge(reply) for reply in replies]

    @staticmethod
    def _judge(reply: Reply) -> tuple[Decision | None, dict]:
        """The guard's rejection, or ``None`` (and its raw output) when the query is safe."""
        if reply.text is None:
            return failed(reply), {}
        verdict, codes = parse_verdict(reply.text)
        raw = {**reply.to_dict(), "verdict": verdict, "categories": codes}
        if verdict == "safe":
            return None, raw
        if verdict == "unsafe":
            return Decision(route=None, confidence=1.0, scores={"unsafe": 1.0}, reason="unsafe", raw=raw), raw
        return Decision(route=None, confidence=0.0, reason="low_confidence", raw=raw), raw
