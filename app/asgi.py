"""create_app(): the one place where routes, lifespan, dependencies and the error mapping are wired."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from functools import partial
from typing import Any

from litestar import Litestar, Request, Router
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi import OpenAPIConfig
from piccolo.engine.base import Engine

from app import __version__
from app.access.audit import AuditLog
from app.access.auth import ApiKeyMiddleware, client_identity, requires
from app.access.controller import AuditController
from app.access.keys import KeyVerifier
from app.db import check_database, open_database
from app.llm.breaker import GuardedModel
from app.llm.factory import build_model, running_fake
from app.llm.instrumented import InstrumentedModel
from app.migrate import migrate
from app.problems import MAX_BODY_BYTES, handle_exception
from app.questions.admission import Admission
from app.questions.ask import AskFlow
from app.questions.controller import AskController, RecordsController
from app.questions.repository import RecordRepository
from app.questions.service import RecordService
from app.settings import Settings
from app.system.frontdoor import FrontDoorCheck
from app.system.health import Readiness, SystemController
from app.system.metrics import Metrics
from app.system.middleware import ASGIApp, observe
from app.web import web_routes


async def _is_question(request: Request[Any, Any, Any]) -> bool:  # async: no worker-thread hand-off
    return request.url.path.startswith("/ask")


def _from_state(name: str) -> Provide:
    """A dependency handing out the object the lifespan built and stored under `name`."""

    def provide(state: State) -> Any:
        return state[name]

    return Provide(provide, sync_to_thread=False)


# The handlers' dependencies; the lifespan builds each once (app.state is only read here).
DEPENDENCIES = {name: _from_state(name) for name in ("ask_flow", "records", "audit_log", "readiness")}


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    """Create the long-lived clients once per process, build the services on them, close them on shutdown."""
    settings: Settings = app.state.settings
    async with AsyncExitStack() as stack:
        demo_url = stack.enter_context(running_fake()) if settings.demo_mode and not settings.gemini_base_url else None
        engine = await stack.enter_async_context(open_database(settings))
        if settings.env in ("dev", "test") and settings.auto_migrate:
            await migrate(engine)
        model = build_model(settings, demo_url)
        stack.push_async_callback(model.aclose)
        app.state.update(build_services(settings, app.state.metrics, engine, model))
        yield


def build_services(
    settings: Settings,
    metrics: Metrics,
    engine: Engine,  # type: ignore[type-arg]
    model: GuardedModel,
) -> dict[str, object]:
    """The handlers' services, built with keywords on the process's engine and model."""
    repository, timeout = RecordRepository(), settings.db_timeout_s
    ask_flow = AskFlow(
        model=InstrumentedModel(inner=model, metrics=metrics),
        records=repository,
        admission=Admission(limit=settings.max_inflight),
        metrics=metrics,
        db_timeout_s=timeout,
        locale=settings.locale,
        history_turns=settings.history_turns,
        history_chars=settings.history_chars,
    )
    return {
        "ask_flow": ask_flow,
        "records": RecordService(repository=repository, metrics=metrics, db_timeout_s=timeout),
        "audit_log": AuditLog(metrics=metrics, db_timeout_s=timeout),
        "readiness": Readiness(database=partial(check_database, engine, timeout, repository.probe), model=model),
    }


def create_app(settings: Settings, metrics: Metrics | None = None) -> ASGIApp:
    """Build the ASGI application for `settings`, wrapped in the Front Door check and the observing middleware."""
    metrics = metrics or Metrics()
    app: Any = build_litestar(settings, metrics)
    if settings.front_door_id:
        app = FrontDoorCheck(settings.front_door_id)(app)
    return observe(app, metrics)


# Served to the platform only (kubelet, the scraper): the Ingress must never route them.
INTERNAL_ROUTES = frozenset({"/metrics", "/readyz"})


def public_routes() -> list[str]:
    """Every HTTP path template the app serves except the internal ones, from the real route table, sorted.

    Templates are Litestar's (`/questions/{question_id:uuid}`, `/static/{file_path:path}`); the Ingress
    contract test checks that the Ingress routes exactly these.
    """
    app = build_litestar(Settings(), Metrics())
    return sorted({route.path for route in app.routes} - INTERNAL_ROUTES)


def build_litestar(settings: Settings, metrics: Metrics) -> Litestar:
    """The Litestar application itself: routes, middleware, lifespan, dependencies and the error mapping."""
    rate_limit = RateLimitConfig(
        rate_limit=settings.rate_limit,  # type: ignore[arg-type]  # validated in Settings
        identifier_for_request=client_identity(settings.trusted_proxies),
        check_throttle_handler=_is_question,  # the limit counts questions, not probes or reads
    )
    cors = CORSConfig(allow_origins=list(settings.cors_origins), allow_headers=["Authorization", "Content-Type"])
    ask = Router("/", route_handlers=[AskController], guards=[requires("ask")] if settings.ask_requires_key else [])
    unauthenticated = ["/healthz", "/readyz", "/metrics", "/schema", "/static"]
    return Litestar(
        route_handlers=[ask, RecordsController, AuditController, SystemController, *web_routes()],
        # Authentication first, so the rate limiter can count per API key.
        middleware=[
            DefineMiddleware(ApiKeyMiddleware, verifier=KeyVerifier(), exclude=unauthenticated),
            rate_limit.middleware,
        ],
        cors_config=cors if settings.cors_origins else None,
        lifespan=[lifespan],
        state=State({"settings": settings, "metrics": metrics}),
        dependencies=DEPENDENCIES,
        exception_handlers={Exception: handle_exception},  # one mapping: problems.to_problem
        openapi_config=OpenAPIConfig(title="MedQA API", version=__version__, path="/schema"),
        request_max_body_size=MAX_BODY_BYTES,
        debug=False,
        logging_config=None,
    )
