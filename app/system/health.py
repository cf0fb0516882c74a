"""Liveness, readiness and the Prometheus endpoint."""

from __future__ import annotations

import msgspec
from litestar import Controller, Response, get
from litestar.datastructures import State
from prometheus_client import CONTENT_TYPE_LATEST

from app.db import check_database
from app.errors import problem_type
from app.problems import PROBLEM_JSON
from app.system.metrics import exposition


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
    async def readyz(self, state: State) -> Response[dict[str, object]]:
        """Ready when the database answers and the model client is configured; 503 names what failed."""
        checks = {
            "database": await check_database(state.engine, state.settings.db_timeout_s),
            "model": "ok" if await state.model.ping() else "model client is closed",
        }
        if all(value == "ok" for value in checks.values()):
            # An open circuit breaker is reported but keeps the pod ready: it still answers emergency and
            # crisis questions with fixed guidance and fails fast otherwise; taking every pod out of the
            # Service would silence that guidance too.
            circuit = state.model.breaker.state()
            status = "ready" if circuit == "closed" else "degraded"
            return Response({"status": status, "checks": checks, "model_circuit": circuit})
        failed = ", ".join(name for name, value in checks.items() if value != "ok")
        problem: dict[str, object] = {
            "type": problem_type("not-ready"),
            "title": "Not ready",
            "status": 503,
            "detail": f"failed checks: {failed}",
            "checks": checks,
        }
        return Response(problem, status_code=503, media_type=PROBLEM_JSON, headers={"Retry-After": "5"})

    @get("/metrics", cache=False)
    async def metrics(self, state: State) -> Response[bytes]:
        """Prometheus text exposition of this process's metrics (of every worker's, with MEDQA_WORKERS > 1)."""
        return Response(exposition(state.metrics), media_type=CONTENT_TYPE_LATEST)
