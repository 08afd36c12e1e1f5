"""Service metrics in the Prometheus text exposition format (version 0.0.4), written by hand.

All updates happen on the service's event loop, so plain counters suffice. Label values need no escaping: routes are
checked names (:func:`gqr._decision.check_route_name`: letters, digits, ``_ . -``), the other labels come from fixed
sets. Kept rather than ``prometheus_client``, measured at 2.4 times the cost per request and 9 times per scrape
(``benchmarks/RESULTS.md``, serve section).
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from typing import Any

from gqr._decision import REASONS, Decision

__all__ = ["CONTENT_TYPE", "Metrics"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BUCKETS: tuple[float, ...] = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30)


def _labels(**labels: str) -> str:
    body = ",".join(f'{k}="{v}"' for k, v in labels.items())
    return f"{{{body}}}" if body else ""


class Metrics:
    """Counters of requests, routes, rejections and upstream errors, and a request-latency histogram."""

    def __init__(self, routes: Sequence[str]) -> None:
        self.requests: Counter[tuple[str, int]] = Counter()
        self.routes: Counter[str] = Counter(dict.fromkeys(routes, 0))
        self.rejections: Counter[str] = Counter(dict.fromkeys(REASONS, 0))
        self.upstream_errors: Counter[tuple[str, str]] = Counter()
        self._buckets: dict[str, list[int]] = {}
        self._sum: dict[str, float] = {}
        self.started = time.time()

    def observe_request(self, endpoint: str, status: int, seconds: float) -> None:
        self.requests[endpoint, status] += 1
        counts = self._buckets.setdefault(endpoint, [0] * (len(BUCKETS) + 1))
        counts[bisect_left(BUCKETS, seconds)] += 1
        self._sum[endpoint] = self._sum.get(endpoint, 0.0) + seconds

    def observe_decision(self, decision: Decision) -> None:
        if decision.route is None:
            self.rejections[decision.reason or "error"] += 1
        else:
            self.routes[decision.route] += 1

    def observe_upstream_error(self, route: str, kind: str) -> None:
        self.upstream_errors[route, kind] += 1

    def counts(self) -> dict[str, Any]:
        """Decisions since start as JSON-ready counts: per route, per rejection reason, in total."""
        routes, rejections = dict(self.routes), dict(self.rejections)
        return {
            "since": self.started,
            "uptime_s": round(time.time() - self.started, 3),
            "decisions": sum(routes.values()) + sum(rejections.values()),
            "routes": routes,
            "rejections": rejections,
        }

    def render(self) -> str:
        """The exposition text."""
        out: list[str] = []

        def family(name: str, kind: str, text: str) -> None:
            out.extend((f"# HELP {name} {text}", f"# TYPE {name} {kind}"))

        family("gqr_requests_total", "counter", "HTTP requests answered, by endpoint and status code.")
        for (endpoint, status), n in sorted(self.requests.items()):
            out.append(f"gqr_requests_total{_labels(endpoint=endpoint, status=str(status))} {n}")
        family("gqr_routes_total", "counter", "Queries routed, by route.")
        out.extend(f"gqr_routes_total{_labels(route=r)} {n}" for r, n in self.routes.items())
        family("gqr_rejections_total", "counter", "Queries rejected, by reason.")
        out.extend(f"gqr_rejections_total{_labels(reason=r)} {n}" for r, n in self.rejections.items())
        family("gqr_upstream_errors_total", "counter", "Failed upstream calls, by route and kind.")
        for (route, kind), n in sorted(self.upstream_errors.items()):
            out.append(f"gqr_upstream_errors_total{_labels(route=route, kind=kind)} {n}")
        family("gqr_request_duration_seconds", "histogram", "Time from request to the end of the response.")
        for endpoint, counts in sorted(self._buckets.items()):
            total = 0
            for bound, n in zip((*BUCKETS, "+Inf"), counts, strict=True):
                total += n
                out.append(f"gqr_request_duration_seconds_bucket{_labels(endpoint=endpoint, le=str(bound))} {total}")
            out.append(f"gqr_request_duration_seconds_sum{_labels(endpoint=endpoint)} {self._sum[endpoint]:.6f}")
            out.append(f"gqr_request_duration_seconds_count{_labels(endpoint=endpoint)} {total}")
        return "\n".join(out) + "\n"
