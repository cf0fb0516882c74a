"""End to end: the database going away, demo mode, and the CLI's one-line errors."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Service, base_env, run_medqa, service_env, start_service
from tests.plugins.gemini import FakeGeminiHandle
from tests.plugins.postgres import LocalCluster, free_port

pytestmark = pytest.mark.e2e


def test_unreachable_database_is_503_and_not_ready(tmp_path: Path, fake_process: FakeGeminiHandle) -> None:
    url = f"postgres://medqa:x@127.0.0.1:{free_port()}/medqa"
    for service in start_service(tmp_path, **service_env(fake_process.url, url)):
        ready = httpx.get(f"{service.url}/readyz", timeout=10)
        assert ready.status_code == 503 and "database" in ready.json()["detail"]
        start = time.monotonic()
        response = httpx.post(f"{service.url}/ask", json={"question": "q"}, timeout=15)
        assert response.status_code == 503 and response.headers["retry-after"]
        assert response.headers["content-type"].startswith("application/problem+json")
        assert time.monotonic() - start < 8
        assert 'medqa_db_errors_total{operation="insert"} 1.0' in httpx.get(f"{service.url}/metrics").text
        assert "db.error" in service.logs()


@pytest.mark.postgres
def test_service_recovers_when_postgres_comes_back(
    tmp_path: Path, fake_process: FakeGeminiHandle, postgres_cluster: LocalCluster | None
) -> None:
    if postgres_cluster is None:
        pytest.skip("needs the local throwaway cluster, which this test stops and restarts")
    url = postgres_cluster.create_database("medqa_restart")
    assert run_medqa("migrate", env=base_env(MEDQA_DATABASE_URL=url)).returncode == 0
    for service in start_service(tmp_path, **service_env(fake_process.url, url)):
        assert httpx.post(f"{service.url}/ask", json={"question": "q"}, timeout=15).status_code == 200
        postgres_cluster.stop()
        try:
            assert httpx.get(f"{service.url}/readyz", timeout=10).status_code == 503
            assert httpx.post(f"{service.url}/ask", json={"question": "q"}, timeout=15).status_code == 503
        finally:
            postgres_cluster.restart()
        deadline = time.monotonic() + 15
        while httpx.get(f"{service.url}/readyz", timeout=10).status_code != 200:
            assert time.monotonic() < deadline, "service did not recover after PostgreSQL came back"
            time.sleep(0.5)
        assert httpx.post(f"{service.url}/ask", json={"question": "q"}, timeout=15).status_code == 200


def test_demo_mode_on_the_embedded_default(tmp_path: Path) -> None:
    for service in start_service(tmp_path):
        response = httpx.post(f"{service.url}/ask", json={"question": "What is a fever?"}, timeout=15)
        assert response.status_code == 200 and response.json()["model"] == "demo"
        assert "DEMO MODE" in service.logs()
        assert (tmp_path / "medqa.sqlite").exists()
        assert httpx.get(f"{service.url}/readyz").status_code == 200


def test_cli_ask_prints_the_answer(service: Service) -> None:
    result = run_medqa("ask", "What is a normal body temperature?", "--url", service.url, env=base_env())
    assert result.returncode == 0, result.stderr
    assert "demo answer" in result.stdout


def test_cli_ask_reports_a_problem_in_one_line(service: Service, fake: FakeGeminiHandle) -> None:
    fake.set_mode("error:503")
    result = run_medqa("ask", "q", "--url", service.url, env=base_env())
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "503" in result.stderr


def test_cli_ask_without_a_service_fails_in_one_line() -> None:
    result = run_medqa("ask", "q", "--url", f"http://127.0.0.1:{free_port()}", env=base_env())
    assert result.returncode == 1
    assert result.stderr.startswith("medqa ask: cannot reach the service") and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [({"MEDQA_PORT": "abc"}, "MEDQA_PORT"), ({"MEDQA_ENV": "prod"}, "GEMINI_API_KEY: required when MEDQA_ENV=prod")],
)
def test_serve_with_bad_configuration_exits_with_one_line(env: dict[str, str], message: str) -> None:
    result = run_medqa("serve", env=base_env(**env), timeout=30)
    assert result.returncode == 1
    assert message in result.stderr and result.stderr.strip().count("\n") == 0


def test_migrate_against_an_unreachable_database_fails_in_one_line() -> None:
    env = base_env(MEDQA_DATABASE_URL=f"postgres://medqa:x@127.0.0.1:{free_port()}/medqa")
    result = run_medqa("migrate", env=env)
    assert result.returncode == 1
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("medqa migrate: database unreachable") and "Traceback" not in result.stderr


def test_fake_gemini_rejects_an_unknown_mode() -> None:
    result = run_medqa("fake-gemini", "--mode", "sometimes", env=base_env())
    assert result.returncode == 1 and "--mode: unknown mode" in result.stderr


def test_version() -> None:
    result = run_medqa("version", env=base_env())
    assert result.returncode == 0 and result.stdout.startswith("medqa ")


def test_fake_gemini_speaks_the_rest_protocol(fake_process: FakeGeminiHandle) -> None:
    url = f"{fake_process.url}/v1beta/models/gemini-test"
    headers = {"x-goog-api-key": "k"}
    body = {"contents": [{"role": "user", "parts": [{"text": "hello there"}]}]}
    counted = httpx.post(f"{url}:countTokens", json=body, headers=headers).json()
    assert counted["totalTokens"] > 0
    stream = httpx.post(f"{url}:streamGenerateContent", params={"alt": "sse"}, json=body, headers=headers)
    events = [json.loads(line[6:]) for line in stream.text.splitlines() if line.startswith("data: ")]
    assert events[-1]["candidates"][0]["finishReason"] == "STOP" and "usageMetadata" in events[-1]
    assert httpx.post(f"{url}:generateContent", json=body).json()["error"]["status"] == "UNAUTHENTICATED"
