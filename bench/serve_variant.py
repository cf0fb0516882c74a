"""`medqa serve` with one change made at start-up, to price a layer without editing app/.

Variant ``bare``: no observe middleware (request id, metrics, access log), to measure what it costs.
Variant ``tuned``: the changes proposed for app/db.py and app/system/logging.py (issue #19): the asyncpg
pool hands a connection back without asyncpg's reset round trip, and structlog caches its loggers.
(An ``async-hooks`` variant priced the async guards; that fix is now in app/, so it is gone.)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import app.asgi
from app.cli import run_server
from app.settings import Settings
from app.system.logging import configure_logging

VARIANTS = ("bare", "tuned")


def _no_observe(inner: Any, _metrics: Any) -> Any:
    """Return the Litestar app itself instead of wrapping it."""
    return inner


def main() -> None:
    """Serve exactly as `medqa serve` does, with the variant named in argv[1]."""
    variant = sys.argv[1] if len(sys.argv) > 1 else ""
    if variant not in VARIANTS:
        raise SystemExit(f"variant must be one of {VARIANTS}")
    if variant == "bare":
        app.asgi.observe = _no_observe  # type: ignore[attr-defined,assignment]
    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_format)
    asgi_app = app.asgi.create_app(settings)
    if variant == "tuned":
        _tune()
    run_server(asgi_app, settings)


async def _keep_session(_connection: Any) -> None:
    """asyncpg's default reset (unlock, CLOSE ALL, UNLISTEN, RESET ALL) is a round trip on every release;
    the service never sets session state, so there is nothing to reset."""


def _tune() -> None:
    """The proposed changes: a pool without the reset round trip, cached loggers."""
    import structlog
    from piccolo.engine.postgres import PostgresEngine

    structlog.configure(cache_logger_on_first_use=True)
    start_pool = PostgresEngine.start_connection_pool

    async def start_without_reset(self: PostgresEngine, **kwargs: Any) -> None:
        await start_pool(self, reset=_keep_session, **kwargs)

    PostgresEngine.start_connection_pool = start_without_reset  # type: ignore[method-assign]


if __name__ == "__main__":
    main()
