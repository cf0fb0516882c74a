"""In-process apps for unit tests: the real create_app on a throwaway SQLite file, in demo mode."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from app.asgi import create_app
from app.settings import Settings
from app.system.middleware import ASGIApp, Receive, Scope, Send


def from_address(app: ASGIApp, host: str) -> ASGIApp:
    """The app as reached from `host` (Litestar's test client always says "testclient")."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = {**scope, "client": (host, 40000)}
        await app(scope, receive, send)

    return wrapped


@contextmanager
def client(tmp_path: Path, settings: Settings, peer: str | None = None) -> Iterator[TestClient[Any]]:
    """A started test client for `settings`, stored in `tmp_path`, optionally seen from address `peer`."""
    settings = replace(settings, env="test", database_url=f"sqlite:///{tmp_path / 'medqa.sqlite'}")
    app = create_app(settings)
    with TestClient(from_address(app, peer) if peer else app) as test_client:  # type: ignore[arg-type]
        yield test_client
