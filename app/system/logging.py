"""Structured logs: one JSON object per line (or console lines for a developer), never user content."""

from __future__ import annotations

import logging
import sys
import warnings

import structlog

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


def configure_logging(level: str, fmt: str) -> None:
    """Configure structlog and route the stdlib's loggers (uvicorn, piccolo) through the same renderer."""
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(_LEVELS[level]),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        # Each module's logger binds its configuration once, on first use, instead of on every call. A later
        # configure_logging() does not reach a logger already used: configure before the first log line.
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(processor=renderer, foreign_pre_chain=shared))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(_LEVELS[level])
    # uvicorn's access log would repeat our own, with the raw path (which may carry ids): silence it.
    logging.getLogger("uvicorn.access").disabled = True
    # Piccolo reports connection failures as coloured warnings; our own db.* events already log them.
    warnings.filterwarnings("ignore", category=Warning, module=r"piccolo\.")
    # azure-core logs every token request (URL and headers) at info.
    for noisy in ("aiohttp", "httpx2", "google_genai", "piccolo", "azure"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
