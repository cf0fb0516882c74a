"""Piccolo's configuration module (PICCOLO_CONF=app.piccolo_conf): the app registry, and `DB` for its tools.

Importing it builds nothing. Piccolo's migration runner reads `DB`; `migrate()` hands it the engine to use
for the duration of a run (`engine_for(engine)`), and the `piccolo` command line (`piccolo migrations new`)
gets an engine built from the environment on first use.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

APP_REGISTRY = AppRegistry(apps=["app.questions.piccolo_app", "app.access.piccolo_app"])
_CURRENT: ContextVar[Engine | None] = ContextVar("medqa_piccolo_engine", default=None)  # type: ignore[type-arg]


@contextmanager
def engine_for(engine: Engine) -> Iterator[None]:  # type: ignore[type-arg]
    """Make `engine` Piccolo's `DB` in this context (the current task and what it awaits)."""
    token = _CURRENT.set(engine)
    try:
        yield
    finally:
        _CURRENT.reset(token)


@cache
def _from_environment() -> Engine:  # type: ignore[type-arg]
    from app.db import make_engine
    from app.entra import EntraTokenProvider
    from app.settings import Settings

    settings = Settings.from_env()
    # With Entra login a plain engine would try to log in without a password as soon as it is built.
    return make_engine(settings.database_url, EntraTokenProvider(settings.entra) if settings.entra else None)


def __getattr__(name: str) -> Any:
    """`DB`, resolved when Piccolo asks: the engine of the running `engine_for`, else one from the environment."""
    if name != "DB":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    engine = _CURRENT.get()
    return engine if engine is not None else _from_environment()
