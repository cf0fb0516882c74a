"""create_app(): the one place where routes, lifespan, dependencies and the error mapping are wired."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig

from app import __version__
from app.db import close_engine, make_engine, open_engine
from app.errors import MedQAError
from app.llm.factory import build_model, running_fake
from app.migrate import migrate
from app.problems import handle_http_exception, handle_medqa_error, handle_unexpected
from app.questions.controller import AskController, RecordsController
from app.questions.service import QuestionService
from app.questions.tables import QARecord
from app.settings import Settings
from app.system.health import SystemController
from app.system.metrics import Metrics
from app.system.middleware import ASGIApp, observe


def provide_questions(state: State) -> QuestionService:
    """The QuestionService the lifespan created."""
    service: QuestionService = state.questions
    return service


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    """Create the long-lived clients once per process, and close them on shutdown."""
    settings: Settings = app.state.settings
    with ExitStack() as stack:
        demo_url = stack.enter_context(running_fake()) if settings.demo_mode and not settings.gemini_base_url else None
        engine = make_engine(settings.database_url)
        QARecord._meta.db = engine
        await open_engine(engine)
        if settings.env in ("dev", "test") and settings.auto_migrate:
            await migrate(engine)
        model = build_model(settings, demo_url)
        app.state.update(
            engine=engine, model=model, questions=QuestionService(model, app.state.metrics, settings.db_timeout_s)
        )
        try:
            yield
        finally:
            await model.aclose()
            await close_engine(engine)


def create_app(settings: Settings, metrics: Metrics | None = None) -> ASGIApp:
    """Build the ASGI application for `settings`, wrapped in the request-observing middleware."""
    metrics = metrics or Metrics()
    app = Litestar(
        route_handlers=[AskController, RecordsController, SystemController],
        lifespan=[lifespan],
        state=State({"settings": settings, "metrics": metrics}),
        dependencies={"questions": Provide(provide_questions, sync_to_thread=False)},
        exception_handlers={
            MedQAError: handle_medqa_error,
            HTTPException: handle_http_exception,
            Exception: handle_unexpected,
        },
        openapi_config=OpenAPIConfig(title="MedQA API", version=__version__, path="/schema"),
        request_max_body_size=16 * 1024,
        debug=False,
        logging_config=None,
    )
    return observe(app, metrics)  # type: ignore[arg-type]  # Litestar types its ASGI events more narrowly
