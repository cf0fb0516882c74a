"""`medqa serve` with one change made at start-up, to price a layer or try a fix without editing app/.

Variants: ``bare`` (no observe middleware: request id, metrics, access log), ``async-hooks`` (the
rate-limit filter and the scope guards as coroutines, so Litestar stops sending them to a thread on
every request: the fix proposed in docs/performance.md).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import uvicorn

import app.access.auth
from app.settings import Settings
from app.system.logging import configure_logging

VARIANTS = ("bare", "async-hooks")


def _no_observe(inner: Any, _metrics: Any) -> Any:
    """Return the Litestar app itself instead of wrapping it."""
    return inner


def _async_hooks() -> None:
    """Make the guards and the throttle filter coroutines before the controllers are imported."""
    sync_requires = app.access.auth.requires

    def requires(scope: str, **kwargs: Any) -> Any:
        guard = sync_requires(scope, **kwargs)

        async def async_guard(connection: Any, handler: Any) -> None:
            guard(connection, handler)

        return async_guard

    app.access.auth.requires = requires


def main() -> None:
    """Serve exactly as `medqa serve` does, with the variant named in argv[1]."""
    variant = sys.argv[1] if len(sys.argv) > 1 else ""
    if variant not in VARIANTS:
        raise SystemExit(f"variant must be one of {VARIANTS}")
    if variant == "async-hooks":
        _async_hooks()
    import app.asgi

    if variant == "bare":
        app.asgi.observe = _no_observe  # type: ignore[attr-defined,assignment]
    else:
        is_question = app.asgi._is_question

        async def async_is_question(request: Any) -> bool:
            return is_question(request)

        app.asgi._is_question = async_is_question  # type: ignore[assignment]
    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_format)
    uvicorn.run(
        app.asgi.create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=30,
        lifespan="on",
    )


if __name__ == "__main__":
    main()
