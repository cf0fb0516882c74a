"""Chooses the answer model from the settings: Gemini, or Gemini's SDK against an in-process fake (demo)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import structlog
import uvicorn

from app.llm.breaker import CircuitBreaker, GuardedModel
from app.llm.fake_server import FakeGemini
from app.llm.gemini import GeminiModel, GeminiOptions
from app.settings import Settings

log = structlog.get_logger(__name__)
DEMO_LABEL = "demo"
DEMO_KEY = "demo-mode-no-key"


@contextmanager
def running_fake(host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run the fake Gemini server in a background thread; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(256)  # connections queue in the backlog until the server thread accepts them
    config = uvicorn.Config(
        FakeGemini(), log_config=None, access_log=False, lifespan="off", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="fake-gemini", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()


def gemini_options(settings: Settings, demo_base_url: str | None = None) -> GeminiOptions:
    """Options for the google-genai client; in demo mode, the fake's URL and the "demo" label."""
    return GeminiOptions(
        api_key=settings.gemini_api_key or DEMO_KEY,
        model=settings.gemini_model,
        label=DEMO_LABEL if settings.demo_mode else settings.gemini_model,
        base_url=demo_base_url or settings.gemini_base_url,
        timeout_s=settings.gemini_timeout_s,
        max_retries=settings.gemini_max_retries,
        retry_delay_cap_s=settings.gemini_retry_delay_cap_s,
        max_output_tokens=settings.gemini_max_output_tokens,
        max_connections=settings.max_inflight,
    )


def build_model(settings: Settings, demo_base_url: str | None = None) -> GuardedModel:
    """The production model, or in demo mode the same SDK path pointed at the in-process fake."""
    if settings.demo_mode:
        log.warning(
            "DEMO MODE: no GEMINI_API_KEY is set; answers come from a local fake Gemini, not a real model",
            model=DEMO_LABEL,
        )
    breaker = CircuitBreaker(settings.breaker_threshold, settings.breaker_cooldown_s)
    return GuardedModel(GeminiModel(gemini_options(settings, demo_base_url)), breaker)
