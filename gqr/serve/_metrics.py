"""Service metrics on ``prometheus_client``, in a registry of each app's own (two apps in one process never mix).

The label children are made once and kept, so that an update is one locked addition.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from gqr._decision import REASONS, Decision

__all__ = ["CONTENT_TYPE", "Metrics"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"  # what generate_latest writes
BUCKETS: tuple[float, ...] = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30)


class Metrics:
    """Counters of requests, routes, rejections and upstream errors, and a request-latency histogram."""

    def __init__(self, routes: Sequence[str]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._requests = Counter(
            "gqr_requests",
            "HTTP requests answered, by endpoint and status code.",
            ["endpoint", "status"],
            registry=self.registry,
        )
        self._routes = Counter("gqr_routes", "Queries routed, by route.", ["route"], registry=self.registry)
        self._rejections = Counter("gqr_rejections", "Queries rejected, by reason.", ["reason"], registry=self.registry)
        self._upstream_errors = Counter(
            "gqr_upstream_errors",
            "Failed upstream calls, by route and kind.",
            ["route", "kind"],
            registry=self.registry,
        )
        self._duration = Histogram(
            "gqr_request_duration_seconds",
            "Time from request to the end of the response.",
            ["endpoint"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self._route = {r: self._routes.labels(r) for r in routes}  # every route and reason shows, from 0
        self._reason = {r: self._rejections.labels(r) for r in REASONS}
        self._request: dict[tuple[str, int], Any] = {}
        self._endpoint: dict[str, Any] = {}
        self.started = time.time()

    def observe_request(self, endpoint: str, status: int, seconds: float) -> None:
        counter = self._request.get((endpoint, status))
        if counter is None:
            counter = self._request[endpoint, status] = self._requests.labels(endpoint, str(status))
        counter.inc()
        histogram = self._endpoint.get(endpoint)
        if histogram is None:
            histogram = self._endpoint[endpoint] = self._duration.labels(endpoint)
        histogram.observe(seconds)

    def observe_decision(self, decision: Decision) -> None:
        if decision.route is None:
            self._reason[decision.reason or "error"].inc()
        else:
            self._route[decision.route].inc()

    def observe_upstream_error(self, route: str, kind: str) -> None:
        self._upstream_errors.labels(route, kind).inc()

    @staticmethod
    def _totals(counter: Counter, label: str) -> dict[str, int]:
        return {
            s.labels[label]: int(s.value) for m in counter.collect() for s in m.samples if s.name.endswith("_total")
        }

    def counts(self) -> dict[str, Any]:
        """Decisions since start as JSON-ready counts: per route, per rejection reason, in total."""
        routes, rejections = self._totals(self._routes, "route"), self._totals(self._rejections, "reason")
        return {
            "since": self.started,
            "uptime_s": round(time.time() - self.started, 3),
            "decisions": sum(routes.values()) + sum(rejections.values()),
            "routes": routes,
            "rejections": rejections,
        }

    def render(self) -> bytes:
        """The exposition text (format 0.0.4)."""
        return generate_latest(self.registry)
