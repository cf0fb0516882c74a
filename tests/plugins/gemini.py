"""The local fake Gemini for tests: a real HTTP server on loopback that the real SDK talks to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from app.llm.factory import running_fake


@dataclass
class FakeGeminiHandle:
    """The base URL of a running fake and its control endpoints."""

    url: str

    def set_mode(self, mode: str, latency_ms: int = 0, chunk_delay_ms: int = 5) -> None:
        """Change the fake's behaviour (and reset its counters)."""
        config = {"mode": mode, "latency_ms": latency_ms, "chunk_delay_ms": chunk_delay_ms}
        httpx.put(f"{self.url}/_fake/config", json=config, timeout=5).raise_for_status()

    def prompts(self) -> list[str]:
        """The prompts the fake received since the last set_mode."""
        return list(httpx.get(f"{self.url}/_fake/prompts", timeout=5).json()["prompts"])

    def requests(self) -> list[dict[str, object]]:
        """The request bodies the fake received since the last set_mode, as sent."""
        return list(httpx.get(f"{self.url}/_fake/requests", timeout=5).json()["requests"])

    def calls(self) -> int:
        """How many model calls the fake received since the last set_mode."""
        return int(httpx.get(f"{self.url}/_fake/stats", timeout=5).json()["total"])


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
