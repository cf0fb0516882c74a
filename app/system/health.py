"""Liveness, readiness and the Prometheus endpoint."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import msgspec
from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from prometheus_client import CONTENT_TYPE_LATEST

from app.errors import NotReady
from app.problems import PROBLEM_JSON, to_problem
from app.system.metrics import exposition


class ModelStatus(Protocol):
    """What readiness asks of the model: is its client open, and the circuit breaker's state."""

    async def ping(self) -> bool:
        """True when the model client is open."""
        ...

    def circuit(self) -> str:
        """closed, open or half-open."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Readiness:
    """The checks /readyz runs: the database (a domain's probe, wrapped in app.db.check_database) and the model."""

    database: Callable[[], Awaitable[str]]
    model: ModelStatus


class Health(msgspec.Struct):
    """Readiness result; each check is "ok" or says why it failed."""

    status: str
    checks: dict[str, str]


class SystemController(Controller):
    """Endpoints for the platform: probes and metrics (not part of the public API schema)."""

    include_in_schema = False

    @get("/healthz", cache=False)
    async def healthz(self) -> dict[str, str]:
        """The process is alive; touches no dependency."""
        return {"status": "ok"}

    @get("/readyz", cache=False)
    async def readyz(
        self, request: Request[Any, Any, Any], readiness: NamedDependency[Readiness]
    ) -> Response[dict[str, object]]:
        """Ready when the database answers and the model client is configured; 503 names what failed."""
        checks = {
            "database": await readiness.database(),
            "model": "ok" if await readiness.model.ping() else "model client is closed",
        }
        if all(value == "ok" for value in checks.values()):
            # An open circuit breaker is reported but keeps the pod ready: it still answers emergency and
            # crisis questions with fixed guidance and fails fast otherwise; taking every pod out of the
            # Service would silence that guidance too.
            circuit = readiness.model.circuit()
            status = "ready" if circuit == "closed" else "degraded"
            return Response({"status": status, "checks": checks, "model_circuit": circuit})
        failed = ", ".join(name for name, value in checks.items() if value != "ok")
        problem, headers = to_problem(NotReady(f"failed checks: {failed}", retry_after=5), request.url.path)
        body: dict[str, object] = {**msgspec.structs.asdict(problem), "checks": checks}
        return Response(body, status_code=problem.status, media_type=PROBLEM_JSON, headers=headers)

    @get("/metrics", cache=False)
    async def metrics(self, state: State) -> Response[bytes]:
        """Prometheus text exposition of this process's metrics (of every worker's, with MEDQA_WORKERS > 1)."""
        return Response(exposition(state.metrics), media_type=CONTENT_TYPE_LATEST)
