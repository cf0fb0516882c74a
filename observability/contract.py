"""The metric names that rules and dashboards may use: the service's contract plus documented externals."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    """One metric family the service exports (app/system/metrics.py) and whether it exists yet."""

    kind: str
    labels: tuple[str, ...]
    planned: bool = False
    """True for families promised by a later issue: queries may name them, the e2e test reports them."""


SERVICE: dict[str, Family] = {
    "medqa_http_requests_total": Family("counter", ("method", "route", "status")),
    "medqa_http_request_duration_seconds": Family("histogram", ("method", "route")),
    "medqa_llm_requests_total": Family("counter", ("model", "outcome")),
    "medqa_llm_request_duration_seconds": Family("histogram", ("model",)),
    "medqa_llm_tokens_total": Family("counter", ("model", "direction")),
    "medqa_db_errors_total": Family("counter", ("operation",)),
    "medqa_inflight_requests": Family("gauge", ()),
    "medqa_triage_total": Family("counter", ("level",)),
    "medqa_redactions_total": Family("counter", ("kind",)),
    "medqa_llm_time_to_first_token_seconds": Family("histogram", ("model",)),
    # prometheus_client's process collector (Linux) and platform collector.
    "process_cpu_seconds_total": Family("counter", ()),
    "process_resident_memory_bytes": Family("gauge", ()),
    "process_start_time_seconds": Family("gauge", ()),
    "process_open_fds": Family("gauge", ()),
    "python_info": Family("gauge", ("implementation", "major", "minor", "patchlevel", "version")),
}

# Label values the service promises (dashboards and alerts select on them).
OUTCOMES = (
    "ok",
    "safety_blocked",
    "max_tokens",
    "rate_limited",
    "timeout",
    "unavailable",
    "error",
)
DIRECTIONS = ("prompt", "completion")
TRIAGE_LEVELS = ("routine", "emergency", "crisis")

# Metrics from outside the service, with where they are documented.
EXTERNAL: dict[str, str] = {
    "kube_pod_container_status_restarts_total": "kube-state-metrics docs/metrics/workload/pod-metrics.md",
    "up": "Prometheus: set for every scrape target",
}


def series_names(name: str, family: Family) -> set[str]:
    """The sample names a family exposes in the text format (`_bucket`, `_count`, `_sum` for histograms)."""
    if family.kind == "histogram":
        return {f"{name}_bucket", f"{name}_count", f"{name}_sum"}
    return {name}


def service_series(include_planned: bool = True) -> set[str]:
    """Every sample name the service exports (optionally without the planned families)."""
    names: set[str] = set()
    for name, family in SERVICE.items():
        if include_planned or not family.planned:
            names |= series_names(name, family)
    return names


def planned_series() -> set[str]:
    """Sample names of the families that later issues add."""
    return service_series() - service_series(include_planned=False)
