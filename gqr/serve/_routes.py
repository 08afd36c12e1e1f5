"""Routes: a classifier plus, for each decision, where the query goes (an upstream) or what it is answered."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np

from gqr._decision import DOMAINS, REASONS, Decision
from gqr._errors import ClassifierOutputError, InvalidInputError
from gqr._policy import decide, routes_of
from gqr._protocol import Classifier
from gqr.serve._config import Limits, Rejection, Upstream, default_messages, read_config
from gqr.serve._conversation import CHECKS, Verdict, checked_turns, verdict

__all__ = ["Routes"]

_TOO_LONG = Decision(route=None, confidence=1.0, reason="too_long")


def _check_text(text: object, where: str) -> None:
    if not isinstance(text, str):
        raise InvalidInputError(f"{where}: expected a string, got {type(text).__name__}")


class Routes:
    """The routing table of a deployment: which upstream answers each route, what each rejection answers.

    ``classifier`` is any :class:`gqr.Classifier` (usually a :func:`gqr.load` router); its routes are its
    ``routes`` attribute (a router's, built-in or of your own routes), else law / finance / healthcare.
    ``upstreams`` maps routes to :class:`Upstream`; ``default_upstream`` answers every route without its own (one of
    the two must cover each route). ``messages`` overrides :func:`default_messages` per rejection reason;
    ``limits`` caps what the service accepts; ``thresholds`` (one per route) replaces the model's, re-deciding with
    the shared rule every decision that carries all route scores; ``check`` says which messages of a chat
    conversation are classified (``"user"``, ``"all"`` or ``"last_user"``; see :mod:`gqr.serve._conversation`).
    :meth:`from_toml` builds all of it from a routes file.

    ``Routes`` is itself a :class:`gqr.Classifier` (it applies the text-length cap of ``limits`` before the wrapped
    classifier), :meth:`route` gives the target of a text: an :class:`Upstream` or a :class:`Rejection`, and
    :meth:`classify_conversation` the decision for a list of chat messages and the message it comes from.

    >>> routes = Routes.from_toml("routes.toml")                      # doctest: +SKIP
    >>> target = routes.route("Can my landlord keep my deposit?")     # doctest: +SKIP
    >>> target.chat_url if isinstance(target, Upstream) else target.message  # doctest: +SKIP
    """

    def __init__(
        self,
        classifier: Classifier,
        upstreams: Mapping[str, Upstream],
        messages: Mapping[str, str] | None = None,
        limits: Limits | None = None,
        thresholds: Mapping[str, float] | None = None,
        check: str = "user",
        *,
        default_upstream: Upstream | None = None,
    ) -> None:
        if not isinstance(classifier, Classifier):
            raise InvalidInputError(
                f"classifier: expected a gqr.Classifier (name, classify, classify_batch), got {type(classifier)}"
            )
        self.classifier = classifier
        self.name = classifier.name
        self.routes: tuple[str, ...] = tuple(getattr(classifier, "routes", DOMAINS))
        if not isinstance(upstreams, Mapping) or not all(isinstance(u, Upstream) for u in upstreams.values()):
            raise InvalidInputError(f"upstreams: expected a mapping of route to Upstream, got {upstreams!r:.80}")
        if default_upstream is not None and not isinstance(default_upstream, Upstream):
            raise InvalidInputError(f"default_upstream: expected an Upstream, got {type(default_upstream).__name__}")
        unknown = [r for r in upstreams if r not in self.routes]
        if unknown:
            raise InvalidInputError(
                f"upstreams: expected routes of model {self.name!r} {self.routes}, got {unknown} that it does not have"
            )
        missing = [r for r in self.routes if r not in upstreams]
        if missing and default_upstream is None:
            raise InvalidInputError(
                f"upstreams: expected one for each route of model {self.name!r} {self.routes} or a default upstream,"
                f" got none for {missing}"
            )
        unknown = sorted(set(messages or {}) - set(REASONS))
        if unknown:
            raise InvalidInputError(f"messages: expected reasons from {REASONS}, got {unknown}")
        self.upstreams: dict[str, Upstream] = {r: upstreams.get(r) or default_upstream for r in self.routes}  # type: ignore[misc]
        answers = default_messages(self.routes) | dict(messages or {})
        self.rejections: dict[str, Rejection] = {r: Rejection(r, answers[r]) for r in REASONS}
        self.limits = limits or Limits()
        if thresholds is not None and (
            set(thresholds) != set(self.routes) or not all(0.0 <= float(v) <= 1.0 for v in thresholds.values())
        ):
            raise InvalidInputError(
                f"thresholds: expected a number in [0, 1] for each route of model {self.name!r} {self.routes},"
                f" got {dict(thresholds)}"
            )
        self.thresholds = dict(thresholds) if thresholds is not None else None
        if check not in CHECKS:
            raise InvalidInputError(f"check: expected one of {CHECKS}, got {check!r}")
        self.check = check

    @classmethod
    def from_toml(
        cls, path: str | os.PathLike[str], classifier: Classifier | None = None, *, model: str | None = None
    ) -> Routes:
        """Read a routes file; load ``model`` (a name or path), else its ``[router] model``, with :func:`gqr.load`
        unless ``classifier`` is given."""
        config = read_config(path)
        if classifier is None:
            import gqr

            classifier = gqr.load(model or config.model)
        try:
            return cls(
                classifier,
                config.upstreams,
                config.messages,
                config.limits,
                config.thresholds,
                config.check,
                default_upstream=config.default_upstream,
            )
        except InvalidInputError as exc:
            raise InvalidInputError(f"{path}: {exc}") from None

    def classify(self, text: str) -> Decision:
        """The decision for ``text``; texts over ``limits.max_text_chars`` are rejected as ``too_long``."""
        return self.classify_batch([text])[0]

    def classify_batch(self, texts: Sequence[str]) -> list[Decision]:
        """Decisions for ``texts``, in order (the text-length cap applies to each)."""
        for i, text in enumerate(texts):
            _check_text(text, f"texts[{i}]")
        cap = self.limits.max_text_chars
        kept = [t for t in texts if len(t) <= cap]
        # A lone text takes the classifier's single-query path, the fastest one for the ONNX router.
        decided = self.classifier.classify_batch(kept) if len(kept) > 1 else [self.classifier.classify(t) for t in kept]
        if len(decided) != len(kept):
            raise ClassifierOutputError(f"classifier {self.name!r}: expected {len(kept)} decisions, got {len(decided)}")
        it = map(self._rethreshold, decided)
        return [next(it) if len(t) <= cap else _TOO_LONG for t in texts]

    def classify_conversation(self, messages: list[Mapping[str, object]]) -> Verdict:
        """The decision for a chat conversation (OpenAI ``messages``) under :attr:`check`, and the message it is
        about: the last user message decides the route; an unsafe or other-language message anywhere rejects."""
        turns = checked_turns(messages, self.check, self.limits.max_messages)
        return verdict(turns, self.classify_batch([t.text for t in turns]))

    def _rethreshold(self, decision: Decision) -> Decision:
        """Apply the configured thresholds to a decision that carries every route's score (others stay as they are)."""
        if self.thresholds is None or not all(r in decision.scores for r in self.routes):
            return decision
        outputs = list(decision.scores)
        label, reason, confidence = decide(np.array([list(decision.scores.values())]), outputs, self.thresholds)
        routes = routes_of(outputs)
        route = routes[label[0]] if label[0] < len(routes) else None
        return Decision(
            route=route,
            confidence=float(confidence[0]),
            scores=decision.scores,
            reason=None if route else REASONS[reason[0]],  # type: ignore[arg-type]
            raw=decision.raw,
        )

    def target(self, decision: Decision) -> Upstream | Rejection:
        """Where a decision goes: its route's upstream, or the rejection for its reason."""
        if decision.route is None:
            return self.rejections[decision.reason]  # type: ignore[index]  # a rejection always has a reason
        return self.upstreams[decision.route]

    def route(self, text: str) -> Upstream | Rejection:
        """Classify ``text`` and return its target (for apps that call the upstream themselves)."""
        return self.target(self.classify(text))

    def __repr__(self) -> str:
        ups = ", ".join(f"{r}={u.chat_url}" for r, u in self.upstreams.items())
        return f"Routes(classifier={self.name!r}, check={self.check!r}, {ups})"
