"""The Prometheus metrics contract (dashboards and alerts rely on these names) and their exposition.

With MEDQA_WORKERS > 1 the workers share PROMETHEUS_MULTIPROC_DIR: prometheus_client keeps each process's
values in files there, and /metrics merges them (counters and histograms summed over every worker that ever
ran since start-up, the in-flight gauge over the live ones), plus the pod's process metrics summed.
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
from collections.abc import Iterable, MutableMapping
from pathlib import Path
from typing import Any

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.process_collector import ProcessCollector

Scope = MutableMapping[str, Any]

HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60)
LLM_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 12, 18, 25, 40, 60)
UNMATCHED_ROUTE = "<unmatched>"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
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
        # livesum: across workers, the sum over the live ones (a dead worker's requests are no longer in flight).
        self.inflight = Gauge(
            "medqa_inflight_requests", "HTTP requests being served now.", registry=r, multiprocess_mode="livesum"
        )
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
    return _template_label(template)


@functools.lru_cache(maxsize=256)  # bounded by the route table; saves a regex substitution per request
def _template_label(template: str) -> str:
    return _PARAM_TYPE.sub(r"{\1}", template)


def exposition(metrics: Metrics) -> bytes:
    """The text exposition for /metrics: this process's registry, or every worker's merged in multiprocess mode."""
    path = os.environ.get(MULTIPROC_ENV)
    if not path:
        return generate_latest(metrics.registry)
    _forget_dead_workers(path)
    merged = CollectorRegistry(auto_describe=True)
    MultiProcessCollector(merged, path=path)  # type: ignore[no-untyped-call]
    merged.register(PodProcessCollector())
    merged.register(PLATFORM_COLLECTOR)  # python_gc_* stay per process and are not exported in this mode
    return generate_latest(merged)


def _forget_dead_workers(path: str) -> None:
    """Drop the live-gauge files of workers that died (uvicorn restarts them with a new pid)."""
    for file in Path(path).glob("gauge_live*_*.db"):
        pid = int(file.stem.rsplit("_", 1)[1])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            mark_process_dead(pid, path)  # type: ignore[no-untyped-call]
        except PermissionError:  # alive, under another user
            continue


class PodProcessCollector:
    """process_* for the whole pod: the supervisor and its workers, summed (start time: the latest one).

    The names and labels are those of one process, so dashboards that `sum by (pod)` read the same either
    way; a worker's restart shows as a new start time, and as a counter reset of process_cpu_seconds_total.
    """

    def collect(self) -> Iterable[Metric]:
        """Sum ProcessCollector's families over the processes of this pod."""
        merged: dict[str, Metric] = {}
        for pid in _pod_pids():
            # ProcessCollector takes the pid as a callable: str(pid).strip returns it.
            for family in ProcessCollector(pid=str(pid).strip, registry=None).collect():
                known = merged.setdefault(family.name, family)
                if known is not family and family.samples:
                    value = family.samples[0].value
                    if family.name.endswith("start_time_seconds"):
                        value = max(value, known.samples[0].value)
                    elif family.name.endswith("max_fds"):
                        value = known.samples[0].value
                    else:
                        value += known.samples[0].value
                    known.samples[0] = known.samples[0]._replace(value=value)
        return list(merged.values())


def _pod_pids() -> list[int]:
    """The supervisor (this worker's parent) and all its children, from /proc."""
    parent = os.getppid()
    pids = [parent]
    for children in Path(f"/proc/{parent}/task").glob("*/children"):
        try:
            pids += [int(pid) for pid in children.read_text().split()]
        except OSError:
            continue
    return pids


def prepare_multiprocess_dir() -> tuple[Path, bool]:
    """Before the workers start: an empty PROMETHEUS_MULTIPROC_DIR (the given one wiped, else a new temp dir).

    Wiped because an emptyDir outlives a container restart, and stale files would add old counts to the new
    ones. Returns the directory and whether it was created here (then the caller removes it at exit).
    """
    given = os.environ.get(MULTIPROC_ENV)
    if not given:
        created = Path(tempfile.mkdtemp(prefix="medqa-metrics-"))
        os.environ[MULTIPROC_ENV] = str(created)
        return created, True
    path = Path(given)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):  # only prometheus_client's files: the directory may be shared (/tmp)
        stale.unlink()
    return path, False
