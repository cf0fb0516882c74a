"""End to end under failure: the circuit breaker, bounded concurrency, graceful shutdown, a database outage."""

from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Service, base_env, bearer, run_medqa, service_env, start_service
from tests.plugins.gemini import FakeGeminiHandle
from tests.plugins.postgres import LocalCluster

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def _env(fake: FakeGeminiHandle, database: str, **extra: str) -> dict[str, str]:
    return service_env(fake.url, database, MEDQA_RATE_LIMIT="100000/minute", **extra)


def ask(service: Service, question: str = "is oat milk healthy", **body: object) -> httpx.Response:
    return httpx.post(f"{service.url}/ask", json={"question": question, **body}, timeout=30)


def timed_ask(service: Service, question: str) -> tuple[int, float]:
    start = time.monotonic()
    status = ask(service, question).status_code
    return status, time.monotonic() - start


def test_circuit_breaker_stops_calling_gemini_and_readyz_reports_it(
    tmp_path: Path, fake: FakeGeminiHandle, e2e_database: str
) -> None:
    env = _env(fake, e2e_database, MEDQA_BREAKER_THRESHOLD="2", MEDQA_BREAKER_COOLDOWN_S="60",
               MEDQA_GEMINI_MAX_RETRIES="1")  # fmt: skip
    for service in start_service(tmp_path, **env):
        fake.set_mode("error:503")
        assert [ask(service).status_code for _ in range(2)] == [503, 503]
        calls = fake.calls()
        assert calls == 4  # two questions, each one attempt and one retry
        start = time.monotonic()
        response = ask(service)
        assert response.status_code == 503 and int(response.headers["retry-after"]) >= 1
        assert time.monotonic() - start < 1 and fake.calls() == calls  # failed fast, Gemini not called
        ready = httpx.get(f"{service.url}/readyz").json()
        assert ready["status"] == "degraded" and ready["model_circuit"] == "open"
        emergency = ask(service, "my husband collapsed and is not breathing")
        assert emergency.status_code == 200 and emergency.json()["triage"] == "emergency"


def test_questions_past_the_inflight_bound_are_refused_at_once(
    tmp_path: Path, fake: FakeGeminiHandle, e2e_database: str
) -> None:
    for service in start_service(tmp_path, **_env(fake, e2e_database, MEDQA_MAX_INFLIGHT="3")):
        fake.set_mode("ok", latency_ms=1500)
        with ThreadPoolExecutor(max_workers=8) as pool:
            timings = list(pool.map(lambda i, s=service: timed_ask(s, f"question {i}"), range(8)))
        statuses = sorted(status for status, _ in timings)
        assert statuses.count(200) == 3 and statuses.count(503) == 5
        assert all(seconds < 1.0 for status, seconds in timings if status == 503)  # refused, not queued


def test_sigterm_finishes_inflight_answers_then_exits_zero(
    tmp_path: Path, fake: FakeGeminiHandle, e2e_database: str
) -> None:
    for service in start_service(tmp_path, **_env(fake, e2e_database)):
        fake.set_mode("ok", latency_ms=1500)
        with ThreadPoolExecutor(max_workers=1) as pool:
            inflight = pool.submit(timed_ask, service, "is oat milk healthy")
            time.sleep(0.5)
            service.process.send_signal(signal.SIGTERM)
            assert inflight.result(timeout=20)[0] == 200  # the answer in flight finished
        assert service.process.wait(timeout=20) == 0
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{service.url}/healthz", timeout=2)


def test_database_outage_loses_no_answered_question(
    tmp_path: Path, fake: FakeGeminiHandle, postgres_cluster: LocalCluster | None
) -> None:
    if postgres_cluster is None:
        pytest.skip("needs the local throwaway cluster, which this test stops and restarts")
    database = postgres_cluster.create_database("medqa_outage")
    assert run_medqa("migrate", env=base_env(MEDQA_DATABASE_URL=database)).returncode == 0
    key = run_medqa("apikey", "create", "--name", "outage", "--scope", "read",
                    env=base_env(MEDQA_DATABASE_URL=database)).stdout.strip()  # fmt: skip
    for service in start_service(tmp_path, **_env(fake, database, MEDQA_DB_TIMEOUT_S="2")):
        conversation = "6a1f43d6-0f3f-4b5e-9a43-2b1f0c7e9d11"
        statuses = []
        for i in range(24):
            if i == 8:
                postgres_cluster.stop()
            if i == 16:
                postgres_cluster.restart()
                deadline = time.monotonic() + 20
                while httpx.get(f"{service.url}/readyz", timeout=5).status_code != 200:
                    assert time.monotonic() < deadline
                    time.sleep(0.3)
            start = time.monotonic()
            statuses.append(ask(service, f"q{i}", conversation_id=conversation).status_code)
            assert time.monotonic() - start < 8  # fast answers, never a hang
        assert set(statuses[8:16]) == {503} and statuses.count(200) == 16
        turns = httpx.get(f"{service.url}/conversations/{conversation}", headers=bearer(key)).json()["turns"]
        assert len(turns) == statuses.count(200)  # every 200 is stored, nothing else
        assert all(turn["answer"] for turn in turns)
