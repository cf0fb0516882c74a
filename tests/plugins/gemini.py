"""The local fake Gemini for tests: a real HTTP server on loopback that the real SDK talks to."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from app.llm.factory import running_fake


@dataclass
class FakeGeminiHandle:
    """The base URL of a running fake and its control endpoints."""

    url: str

    def set_mode(self, mode: str, latency_ms: int = 0) -> None:
        """Change the fake's behaviour (and reset its counters)."""
        body = json.dumps({"mode": mode, "latency_ms": latency_ms}).encode()
        request = urllib.request.Request(f"{self.url}/_fake/config", data=body, method="PUT")
        with urllib.request.urlopen(request, timeout=5):  # noqa: S310 (loopback)
            pass

    def calls(self) -> int:
        """How many model calls the fake received since the last set_mode."""
        with urllib.request.urlopen(f"{self.url}/_fake/stats", timeout=5) as response:  # noqa: S310
            return int(json.load(response)["total"])


@pytest.fixture(scope="session")
def _fake_server() -> Iterator[str]:
    with running_fake() as url:
        yield url


@pytest.fixture
def fake_gemini(_fake_server: str) -> Iterator[FakeGeminiHandle]:
    """A fake Gemini in mode "ok"; tests switch modes with set_mode()."""
    handle = FakeGeminiHandle(_fake_server)
    handle.set_mode("ok")
    yield handle
    handle.set_mode("ok")
