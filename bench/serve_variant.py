"""`medqa serve` with one change made at start-up, to price a layer without editing app/.

Variant ``bare``: no observe middleware (request id, metrics, access log), to measure what it costs.
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

VARIANTS = ("bare",)


def _no_observe(inner: Any, _metrics: Any) -> Any:
    """Return the Litestar app itself instead of wrapping it."""
    return inner


def main() -> None:
    """Serve exactly as `medqa serve` does, with the variant named in argv[1]."""
    variant = sys.argv[1] if len(sys.argv) > 1 else ""
    if variant not in VARIANTS:
        raise SystemExit(f"variant must be one of {VARIANTS}")
    app.asgi.observe = _no_observe  # type: ignore[attr-defined,assignment]
    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_format)
    run_server(app.asgi.create_app(settings), settings)


if __name__ == "__main__":
    main()
