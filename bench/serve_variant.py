"""`medqa serve` with one change made at start-up, to price a layer without editing app/.

Variant ``bare``: no observe middleware (request id, metrics, access log), to measure what it costs.
Variant ``pre-19``: the baseline before issue #19's tuning, which is now the default: asyncpg's reset round
trip on every release, and structlog loggers that resolve their configuration on every call. (uvloop and
httptools were already picked by uvicorn's "auto" before, so the baseline keeps them.)
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

VARIANTS = ("bare", "pre-19")


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
    if variant == "pre-19":
        _untune()
    asgi_app = app.asgi.create_app(settings)
    run_server(asgi_app, settings)


def _untune() -> None:
    """Undo issue #19's tuning: asyncpg's default reset on release, loggers not cached."""
    import structlog
    from piccolo.engine.postgres import PostgresEngine

    structlog.configure(cache_logger_on_first_use=False)
    start_pool = PostgresEngine.start_connection_pool

    async def start_with_reset(self: PostgresEngine, **kwargs: Any) -> None:
        kwargs.pop("reset", None)  # asyncpg's own Connection.reset() then runs on every release
        await start_pool(self, **kwargs)

    PostgresEngine.start_connection_pool = start_with_reset  # type: ignore[method-assign]


if __name__ == "__main__":
    main()
