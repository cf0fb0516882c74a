"""End to end: emergency guidance that survives model failures, privacy, keys and scopes, rate limits."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Service, base_env, bearer, run_medqa, service_env, start_service
from tests.plugins.gemini import FakeGeminiHandle

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
EMERGENCY = "my dad just collapsed and he is not breathing"
CRISIS = "i have decided to kill myself tonight"
PERSONAL = (
    "Hi, my name is Ottilie Brannigan, born 12/03/1961, email ottilie.b@example.org, phone 07700 900461, "
    "NHS number 943 476 5919, I live at 14 Larkspur Road, Leeds LS6 2AB. Is 5 mg ramipril a normal dose?"
)
SECRETS = ("Ottilie", "Brannigan", "12/03/1961", "ottilie.b@example.org", "07700 900461", "943 476 5919", "Larkspur")


def ask(service: Service, question: str, **kwargs: object) -> httpx.Response:
    return httpx.post(f"{service.url}/ask", json={"question": question}, timeout=15, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["ok", "error:503", "error:429", "hang", "safety", "error:403"])
def test_emergency_guidance_never_depends_on_the_model(service: Service, fake: FakeGeminiHandle, mode: str) -> None:
    fake.set_mode(mode)
    response = ask(service, EMERGENCY)
    assert response.status_code == 200, response.text
    record = response.json()
    assert record["triage"] == "emergency"
    assert record["answer"].startswith("This may be a medical emergency. Call your local emergency number now")


def test_crisis_question_gets_crisis_guidance(service: Service, fake: FakeGeminiHandle) -> None:
    fake.set_mode("error:500")
    record = ask(service, CRISIS).json()
    assert record["triage"] == "crisis"
    assert "crisis line" in record["answer"]


def test_routine_question_still_fails_when_the_model_fails(service: Service, fake: FakeGeminiHandle) -> None:
    fake.set_mode("error:503")
    assert ask(service, "is oat milk healthy").status_code == 503


def test_personal_data_reaches_neither_gemini_nor_database_nor_logs_nor_metrics(
    service: Service, fake: FakeGeminiHandle, keys: dict[str, str]
) -> None:
    response = ask(service, PERSONAL)
    assert response.status_code == 200
    record = response.json()
    assert set(record["redactions"]) == {"NAME", "DOB", "EMAIL", "PHONE", "NATIONAL_ID", "ADDRESS"}
    assert "5 mg ramipril" in record["question"]
    stored = httpx.get(f"{service.url}/questions/{record['id']}", headers=bearer(keys["reader"])).text
    prompts = " ".join(fake.prompts())
    metrics = httpx.get(f"{service.url}/metrics").text
    for secret in SECRETS:
        assert secret not in prompts and secret not in stored
        assert secret not in service.logs() and secret not in metrics
    assert 'medqa_redactions_total{kind="EMAIL"}' in metrics
    assert 'medqa_triage_total{level="emergency"}' in metrics


@pytest.mark.parametrize(("key", "status"), [(None, 401), ("mqa_000000000000_" + "x" * 43, 401), ("asker", 403)])
def test_records_need_a_read_key(service: Service, keys: dict[str, str], key: str | None, status: int) -> None:
    headers = bearer(keys.get(key, key)) if key else {}
    response = httpx.get(f"{service.url}/questions", headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_erasure_needs_an_admin_key_and_is_audited(service: Service, keys: dict[str, str]) -> None:
    record = ask(service, "what is a normal blood pressure").json()
    url = f"{service.url}/questions/{record['id']}"
    assert httpx.delete(url, headers=bearer(keys["reader"])).status_code == 403
    assert httpx.delete(url, headers=bearer(keys["admin"])).status_code == 204
    assert httpx.get(url, headers=bearer(keys["reader"])).status_code == 404
    conversation = ask(service, "what is a normal pulse").json()["conversation_id"]
    deleted = httpx.delete(f"{service.url}/conversations/{conversation}", headers=bearer(keys["admin"]))
    assert deleted.status_code == 200 and deleted.json() == {"deleted": 1}
    missing = httpx.delete(f"{service.url}/conversations/{uuid.uuid4()}", headers=bearer(keys["admin"]))
    assert missing.status_code == 404
    assert httpx.get(f"{service.url}/audit", headers=bearer(keys["reader"])).status_code == 403
    audit = httpx.get(f"{service.url}/audit", headers=bearer(keys["admin"])).json()["items"]
    actions = {(item["actor"], item["action"], item["target"]) for item in audit}
    assert ("e2e-admin", "delete", record["id"]) in actions
    assert ("e2e-admin", "delete_conversation", conversation) in actions
    assert all(keys["admin"] not in str(item) for item in audit)


def test_security_headers_on_every_response(service: Service) -> None:
    for response in (ask(service, "hello"), httpx.get(f"{service.url}/healthz"), httpx.get(f"{service.url}/nope")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert "server" not in response.headers
        assert "access-control-allow-origin" not in response.headers


def test_rate_limit_per_client_with_retry_after(
    tmp_path: Path, fake_process: FakeGeminiHandle, e2e_database: str, keys: dict[str, str]
) -> None:
    env = service_env(fake_process.url, e2e_database, MEDQA_RATE_LIMIT="3/minute")
    for service in start_service(tmp_path, **env):
        statuses = [ask(service, f"question {i}").status_code for i in range(3)]
        limited = ask(service, "one more")
        assert statuses == [200, 200, 200]
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.headers["ratelimit-limit"] == "3" and limited.headers["ratelimit-remaining"] == "0"
        assert limited.headers["content-type"].startswith("application/problem+json")
        assert ask(service, "with a key", headers=bearer(keys["asker"])).status_code == 200  # its own bucket
        assert httpx.get(f"{service.url}/healthz").status_code == 200  # probes are never limited


def test_ask_can_require_a_key(
    tmp_path: Path, fake_process: FakeGeminiHandle, e2e_database: str, keys: dict[str, str]
) -> None:
    origin = "https://chat.example.org"
    env = service_env(fake_process.url, e2e_database, MEDQA_ASK_REQUIRES_KEY="true", MEDQA_CORS_ORIGINS=origin)
    for service in start_service(tmp_path, **env):
        assert ask(service, "hello").status_code == 401
        assert ask(service, "hello", headers=bearer(keys["reader"])).status_code == 403
        assert ask(service, "hello", headers=bearer(keys["asker"])).status_code == 200
        preflight = httpx.options(f"{service.url}/ask", headers={
            "Origin": "https://chat.example.org", "Access-Control-Request-Method": "POST"})  # fmt: skip
        assert preflight.headers["access-control-allow-origin"] == "https://chat.example.org"


def test_cli_manages_keys_and_purges(e2e_database: str) -> None:
    env = base_env(MEDQA_DATABASE_URL=e2e_database)
    created = run_medqa("apikey", "create", "--name", "cli-temp", "--scope", "read", env=env)
    assert created.returncode == 0 and created.stdout.startswith("mqa_")
    listed = run_medqa("apikey", "list", env=env)
    assert "cli-temp" in listed.stdout and created.stdout.strip() not in listed.stdout
    duplicate = run_medqa("apikey", "create", "--name", "cli-temp", "--scope", "read", env=env)
    assert duplicate.returncode == 1 and duplicate.stderr.strip().endswith("a key named 'cli-temp' already exists")
    assert run_medqa("apikey", "revoke", "cli-temp", env=env).returncode == 0
    again = run_medqa("apikey", "revoke", "cli-temp", env=env)
    assert again.returncode == 1 and "no active key" in again.stderr
    purged = run_medqa("purge", "--days", "3650", env=env)
    assert purged.returncode == 0 and purged.stdout.startswith("purged 0 records older than 3650 days")
    bad = run_medqa("purge", "--days", "0", env=env)
    assert bad.returncode == 1 and "--days must be at least 1" in bad.stderr
