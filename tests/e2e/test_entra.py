"""End to end: every entry point that opens the database logs in with an Entra token (workload identity).

The real `medqa` processes use the real azure-identity client against the loopback HTTPS fake of the Entra
token endpoint, trusting its throwaway CA through SSL_CERT_FILE, and a real PostgreSQL role whose password
is the token the fake issues.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import base_env, run_medqa, service_env, start_service
from tests.plugins.entra import EntraHandle, set_role_password
from tests.plugins.gemini import FakeGeminiHandle

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
TOKEN = "entra-e2e-token"


@pytest.fixture
def entra_env(fake_entra: EntraHandle, postgres_url: str) -> dict[str, str]:
    """The environment of a pod with workload identity: the identity's URL (no password) and the AZURE_* variables."""
    fake_entra.fake.next_tokens = [TOKEN] * 50
    # A private loop: asyncio.run() would unset the thread's current loop, which Pulumi's mocks need later on.
    loop = asyncio.new_event_loop()
    try:
        url = loop.run_until_complete(set_role_password(postgres_url, TOKEN, "medqa_entra_e2e"))
    finally:
        loop.close()
    return {"MEDQA_DATABASE_AUTH": "entra", "MEDQA_DATABASE_URL": url, **fake_entra.env()}


def last_line(result: object) -> str:
    return str(result.stderr).strip().splitlines()[-1]  # type: ignore[attr-defined]


def test_cli_and_service_log_in_with_the_token(
    entra_env: dict[str, str], fake_entra: EntraHandle, fake_process: FakeGeminiHandle, tmp_path: Path
) -> None:
    env = base_env(**entra_env)
    for args in (["migrate"], ["apikey", "create", "--name", "entra-e2e", "--scope", "read"], ["apikey", "list"],
                 ["purge", "--days", "3650"]):  # fmt: skip
        result = run_medqa(*args, env=env)
        assert result.returncode == 0, result.stderr
    for service in start_service(tmp_path, **service_env(fake_process.url, entra_env["MEDQA_DATABASE_URL"],
                                                          **entra_env)):  # fmt: skip
        assert httpx.get(f"{service.url}/readyz", timeout=10).status_code == 200
        asked = httpx.post(f"{service.url}/ask", json={"question": "What is a fever?"}, timeout=15)
        assert asked.status_code == 200, asked.text
        assert TOKEN not in service.logs()
    assert fake_entra.fake.rejected == 0 and len(fake_entra.fake.issued) >= 5  # one per process


def test_token_endpoint_down_is_503_not_ready_and_one_cli_line(
    entra_env: dict[str, str], fake_entra: EntraHandle, fake_process: FakeGeminiHandle, tmp_path: Path
) -> None:
    assert run_medqa("migrate", env=base_env(**entra_env)).returncode == 0
    fake_entra.stop()
    for args, reason in ((["migrate"], "DatabaseTokenUnavailable: no Entra token for the database"),
                         (["apikey", "list"], "DatabaseTokenUnavailable: no Entra token for the database"),
                         (["purge"], "the database failed during purge")):  # fmt: skip
        result = run_medqa(*args, env=base_env(**entra_env))
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert last_line(result).startswith(f"medqa {args[0]}: database unreachable: {reason}"), result.stderr
    for service in start_service(tmp_path, **service_env(fake_process.url, entra_env["MEDQA_DATABASE_URL"],
                                                          **entra_env)):  # fmt: skip
        ready = httpx.get(f"{service.url}/readyz", timeout=10)
        assert ready.status_code == 503 and "DatabaseTokenUnavailable" in ready.json()["checks"]["database"]
        asked = httpx.post(f"{service.url}/ask", json={"question": "What is a fever?"}, timeout=15)
        assert asked.status_code == 503 and asked.headers["retry-after"]
        assert asked.headers["content-type"].startswith("application/problem+json")
        assert asked.json()["type"] == "urn:medqa:problem:database-unavailable"


@pytest.mark.parametrize("command", ["serve", "migrate", "purge"])
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"AZURE_FEDERATED_TOKEN_FILE": ""}, "AZURE_FEDERATED_TOKEN_FILE: required when MEDQA_DATABASE_AUTH=entra"),
        ({"AZURE_CLIENT_ID": ""}, "AZURE_CLIENT_ID: required when MEDQA_DATABASE_AUTH=entra"),
        ({"AZURE_FEDERATED_TOKEN_FILE": "/var/run/secrets/azure/tokens/missing"},
         "AZURE_FEDERATED_TOKEN_FILE: cannot read /var/run/secrets/azure/tokens/missing (FileNotFoundError)"),
    ],
)  # fmt: skip
def test_misconfigured_entra_stops_in_one_line(
    fake_entra: EntraHandle, command: str, change: dict[str, str], message: str
) -> None:
    url = "postgres://id-medqa-test-weu@127.0.0.1:5432/medqa"
    env = base_env(MEDQA_DATABASE_AUTH="entra", MEDQA_DATABASE_URL=url, **{**fake_entra.env(), **change})
    result = run_medqa(command, env=env, timeout=30)
    assert result.returncode == 1
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith(f"medqa {command}: configuration error: {message}"), line
    assert fake_entra.fake.issued == []
