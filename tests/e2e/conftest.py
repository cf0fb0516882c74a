"""Start the real `medqa` processes: the fake Gemini and the service, talking over loopback HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.plugins.entra import fake_entra  # noqa: F401 (a fixture, used by the Entra login tests)
from tests.plugins.gemini import FakeGeminiHandle
from tests.plugins.postgres import LocalCluster, free_port, wait_for_port

MEDQA = str(Path(sys.executable).parent / "medqa")


@dataclass
class Service:
    """A running `medqa serve` process."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def logs(self) -> str:
        """Everything the service wrote to stdout and stderr so far."""
        return self.log_path.read_text(errors="replace")


def run_medqa(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run a `medqa` subcommand to completion."""
    return subprocess.run([MEDQA, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False)


def base_env(**extra: str) -> dict[str, str]:
    """A clean environment for a child process: no real keys leak in from the developer's shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEDQA_", "GEMINI_", "GOOGLE_"))}
    env.update({"MEDQA_ENV": "test", "MEDQA_LOG_FORMAT": "json", **extra})
    return env


def service_env(fake_url: str, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a service that asks the fake at `fake_url` and stores in `database_url`."""
    return {"MEDQA_DATABASE_URL": database_url, "GEMINI_API_KEY": "k", "MEDQA_GEMINI_BASE_URL": fake_url,
            "MEDQA_AUTO_MIGRATE": "false", **extra}  # fmt: skip


def start_service(tmp_path: Path, **env: str) -> Iterator[Service]:
    """Start `medqa serve` with `env`, wait until /healthz answers, stop it afterwards."""
    port = free_port()
    log_path = tmp_path / f"serve-{port}.log"
    full_env = base_env(MEDQA_PORT=str(port), MEDQA_HOST="127.0.0.1", **env)
    with log_path.open("wb") as log:
        process = subprocess.Popen([MEDQA, "serve"], env=full_env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    service = Service(f"http://127.0.0.1:{port}", process, log_path)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"medqa serve exited with {process.returncode}:\n{service.logs()}")
            try:
                if httpx.get(f"{service.url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"medqa serve did not start:\n{service.logs()}")
            time.sleep(0.1)
        yield service
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def fake_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeGeminiHandle]:
    """`medqa fake-gemini` as its own process, as a developer or a load test would run it."""
    port = free_port()
    process = subprocess.Popen([MEDQA, "fake-gemini", "--port", str(port)], env=base_env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_for_port(port)
        yield FakeGeminiHandle(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def e2e_database(postgres_url: str, postgres_cluster: LocalCluster | None) -> str:
    """A database of its own for the end-to-end service, migrated with `medqa migrate`."""
    url = postgres_cluster.create_database("medqa_e2e") if postgres_cluster else postgres_url
    result = run_medqa("migrate", env=base_env(MEDQA_DATABASE_URL=url))
    assert result.returncode == 0, result.stderr
    return url


@pytest.fixture(scope="session")
def keys(e2e_database: str) -> dict[str, str]:
    """API keys made with `medqa apikey create`: one per scope, plus one that has only `ask`."""
    made = {}
    for name, scope in (("reader", "read"), ("admin", "admin"), ("asker", "ask")):
        result = run_medqa("apikey", "create", "--name", f"e2e-{name}", "--scope", scope,
                           env=base_env(MEDQA_DATABASE_URL=e2e_database))  # fmt: skip
        assert result.returncode == 0, result.stderr
        made[name] = result.stdout.strip()
    return made


def bearer(key: str) -> dict[str, str]:
    """The Authorization header for a key."""
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="session")
def service(
    e2e_database: str, fake_process: FakeGeminiHandle, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    """The service on PostgreSQL, asking the fake Gemini process, with a 2 s model budget."""
    yield from start_service(
        tmp_path_factory.mktemp("serve"),
        MEDQA_DATABASE_URL=e2e_database,
        GEMINI_API_KEY="test-key-not-real",
        MEDQA_GEMINI_BASE_URL=fake_process.url,
        MEDQA_GEMINI_MODEL="gemini-test",
        MEDQA_GEMINI_TIMEOUT_S="2",
        MEDQA_AUTO_MIGRATE="false",
        MEDQA_RATE_LIMIT="1000/minute",
    )


@pytest.fixture
def fake(fake_process: FakeGeminiHandle) -> Iterator[FakeGeminiHandle]:
    """The fake Gemini process, reset to "ok" around each test."""
    fake_process.set_mode("ok")
    yield fake_process
    fake_process.set_mode("ok")
