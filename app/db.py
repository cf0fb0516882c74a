"""Database engine set-up and the guard that turns any database failure into DatabaseUnavailable."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
import structlog
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from app.errors import DatabaseUnavailable
from app.system.metrics import Metrics

if TYPE_CHECKING:
    from app.settings import Settings

log = structlog.get_logger(__name__)
# DatabaseTokenUnavailable (no Entra token) is a ConnectionError, so it is covered here too.
DB_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, sqlite3.Error, TimeoutError, ConnectionError)
Password = Callable[[], Awaitable[str]]
Probe = Callable[[], Awaitable[object]]


class StartupPostgresEngine(PostgresEngine):
    """A PostgresEngine that does not connect while it is built.

    Piccolo's constructor connects once, in a throwaway event loop, only to warn about servers older than
    PostgreSQL 10. At start-up that blocks the process for up to the connect timeout whenever the server is
    down or not yet reachable, and it reaches the database before the pool exists; `/readyz` reports the
    database instead, so the check is skipped.
    """

    async def check_version(self) -> None:
        """Skipped: see the class docstring."""


class TokenPostgresEngine(StartupPostgresEngine):
    """A StartupPostgresEngine whose password is a token fetched per connection (Entra login)."""


def make_engine(database_url: str, password: Password | None = None) -> Engine:  # type: ignore[type-arg]
    """Build a Piccolo engine from a sqlite:/// or postgres:// URL; `password` overrides the URL's, per connection."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        return SQLiteEngine(path=str(path))
    if password is not None:
        return TokenPostgresEngine(config={"dsn": database_url, "password": password}, log_queries=False)
    return StartupPostgresEngine(config={"dsn": database_url}, log_queries=False)


@asynccontextmanager
async def open_database(settings: Settings, pool_size: int = 10) -> AsyncIterator[Engine]:  # type: ignore[type-arg]
    """The engine for `settings` (Entra token login when configured), bound, started, and closed on exit."""
    from app.entra import EntraTokenProvider

    tokens = EntraTokenProvider(settings.entra) if settings.entra is not None else None
    engine = make_engine(settings.database_url, tokens)
    bind_tables(engine)
    await open_engine(engine, pool_size=pool_size)
    try:
        yield engine
    finally:
        await close_engine(engine)
        if tokens is not None:
            await tokens.aclose()


def bind_tables(engine: Engine) -> None:  # type: ignore[type-arg]
    """Point every table of Piccolo's app registry (app/piccolo_conf.py), and its migration table, at `engine`.

    Piccolo queries find their engine on the table class, so this is per process, not per request.
    """
    from piccolo.apps.migrations.tables import Migration

    from app.piccolo_conf import APP_REGISTRY

    for name in APP_REGISTRY.app_configs:
        for table in APP_REGISTRY.get_table_classes(name):
            table._meta.db = engine
    Migration._meta.db = engine


async def _keep_session(_connection: asyncpg.Connection) -> None:
    """No reset on release: asyncpg's default (advisory unlock, CLOSE ALL, UNLISTEN, RESET ALL) costs a round
    trip per query, and the service keeps no session state (no SET, LISTEN, advisory lock, cursor or temp
    table; prepared statements sit in asyncpg's client-side cache). asyncpg still rolls back a transaction
    left open by a cancelled request before calling this."""


async def open_engine(engine: Engine, pool_size: int = 10) -> None:  # type: ignore[type-arg]
    """Start the connection pool (PostgreSQL); tolerate an unreachable server, readiness reports it."""
    if isinstance(engine, PostgresEngine):
        try:
            async with asyncio.timeout(5):
                await engine.start_connection_pool(
                    min_size=1, max_size=pool_size, timeout=3, command_timeout=10, reset=_keep_session
                )
        except DB_ERRORS as exc:
            log.warning("db.pool_start_failed", error=type(exc).__name__)


async def close_engine(engine: Engine) -> None:  # type: ignore[type-arg]
    """Close the connection pool, if any."""
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()


@asynccontextmanager
async def guarded(operation: str, metrics: Metrics, timeout_s: float) -> AsyncIterator[None]:
    """Run a database operation with a deadline; any failure becomes a 503, counted and logged."""
    try:
        async with asyncio.timeout(timeout_s):
            yield
    except DB_ERRORS as exc:
        metrics.db_errors.labels(operation=operation).inc()
        log.error("db.error", operation=operation, error=type(exc).__name__)
        raise DatabaseUnavailable(f"the database failed during {operation}", retry_after=5) from None


async def check_database(engine: Engine, timeout_s: float, probe: Probe | None = None) -> str:  # type: ignore[type-arg]
    """Readiness check: "ok" when `probe` (a domain's cheap read; default `SELECT 1`) answers, else a short reason.

    The reason names the error type only (no secrets). The questions domain hands in a read of its table,
    so missing migrations show as "database not usable".
    """
    try:
        async with asyncio.timeout(min(timeout_s, 2.0)):
            if isinstance(engine, PostgresEngine) and engine.pool is None:
                await open_engine(engine)
            await (probe() if probe is not None else engine.run_ddl("SELECT 1"))
    except DB_ERRORS as exc:
        return f"database unreachable ({type(exc).__name__})"
    except Exception as exc:  # noqa: BLE001 (e.g. the table is missing: migrations not applied)
        return f"database not usable ({type(exc).__name__})"
    return "ok"
