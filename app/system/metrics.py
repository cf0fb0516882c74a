"""The Prometheus metrics contract (dashboards and alerts rely on these names) and its ASGI middleware."""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
)

Scope = MutableMapping[str, Any]

HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60)
LLM_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 12, 18, 25, 40, 60)
UNMATCHED_ROUTE = "<unmatched>"
_PARAM_TYPE = re.compile(r"\{(\w+):[^}]+\}")


class Metrics:
    """Every metric the service exports, in a registry of its own (one per app instance)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            self.registry.register(collector)
        r = self.registry
        self.http_requests = Counter(
            "medqa_http_requests_total",
            "HTTP requests by route template and status.",
            ["method", "route", "status"],
            registry=r,
        )
        self.http_duration = Histogram(
            "medqa_http_request_duration_seconds",
            "HTTP request duration by route template.",
            ["method", "route"],
            buckets=HTTP_BUCKETS,
            registry=r,
        )
        self.inflight = Gauge("medqa_inflight_requests", "HTTP requests being served now.", registry=r)
        self.llm_requests = Counter(
            "medqa_llm_requests_total", "Questions sent to the model, by outcome.", ["model", "outcome"], registry=r
        )
        self.llm_duration = Histogram(
            "medqa_llm_request_duration_seconds",
            "Time to a final model answer, retries included.",
            ["model"],
            buckets=LLM_BUCKETS,
            registry=r,
        )
        self.llm_tokens = Counter(
            "medqa_llm_tokens_total",
            "Tokens used, by direction (prompt|completion).",
            ["model", "direction"],
            registry=r,
        )
        self.llm_ttft = Histogram(
            "medqa_llm_time_to_first_token_seconds",
            "Time from the streamed request to its first text chunk.",
            ["model"],
            buckets=LLM_BUCKETS,
            registry=r,
        )
        self.db_errors = Counter("medqa_db_errors_total", "Failed database operations.", ["operation"], registry=r)
        self.triage = Counter("medqa_triage_total", "Questions by triage level.", ["level"], registry=r)
        self.redactions = Counter(
            "medqa_redactions_total", "Personal identifiers redacted, by kind.", ["kind"], registry=r
        )


def route_label(scope: Scope) -> str:
    """The route template of a request (`/questions/{id}`), never the raw path."""
    template = scope.get("path_template")
    if not isinstance(template, str) or not template:
        return UNMATCHED_ROUTE
    return _PARAM_TYPE.sub(r"{\1}", template)
