"""Settings the cluster overlays set: Entra database login, the Front Door id, the trusted proxies."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest
from piccolo.engine.postgres import PostgresEngine

from app.db import TokenPostgresEngine, make_engine
from app.settings import ConfigError, Settings

URL = "postgres://id-medqa-dev-weu@psql-medqa-dev-weu.postgres.database.azure.com:5432/medqa?sslmode=require"
FDID = "0f4c6a1e-2b3d-4e5f-8a9b-1c2d3e4f5a6b"


async def _token() -> str:
    return "a-token"


@pytest.fixture
def webhook_env(tmp_path: Path) -> dict[str, str]:
    """What the AKS workload identity webhook injects into the pod."""
    token = tmp_path / "azure-identity-token"
    token.write_text("eyJhbGciOiJSUzI1NiJ9.sa-token.sig")
    return {
        "AZURE_CLIENT_ID": "3b9f1c2e-4d5a-4b6c-8d7e-9f0a1b2c3d4e",
        "AZURE_TENANT_ID": "7c8d9e0f-1a2b-4c3d-9e4f-5a6b7c8d9e0f",
        "AZURE_FEDERATED_TOKEN_FILE": str(token),
        "AZURE_AUTHORITY_HOST": "https://login.microsoftonline.com/",
    }


def overlay(**extra: str) -> dict[str, str]:
    """The config.env every cluster overlay sets (dev shown; the others differ only in names)."""
    return {"MEDQA_DATABASE_AUTH": "entra", "MEDQA_DATABASE_URL": URL, "MEDQA_FRONT_DOOR_ID": FDID,
            "MEDQA_TRUSTED_PROXIES": "192.168.0.0/16", **extra}  # fmt: skip


def test_the_overlay_values_parse(webhook_env: dict[str, str]) -> None:
    settings = Settings.from_env({**overlay(), **webhook_env})
    assert settings.database_auth == "entra" and settings.is_postgres and settings.database_url == URL
    assert settings.entra is not None and settings.entra.client_id == webhook_env["AZURE_CLIENT_ID"]
    assert settings.entra.token_file == webhook_env["AZURE_FEDERATED_TOKEN_FILE"]
    assert settings.front_door_id == FDID and settings.trusted_proxies == ("192.168.0.0/16",)


def test_entra_engine_takes_the_token_per_connection(webhook_env: dict[str, str]) -> None:
    async def token() -> str:
        return "t"

    engine = make_engine(URL, token)
    assert isinstance(engine, TokenPostgresEngine)
    assert engine.config == {"dsn": URL, "password": token}


def test_password_login_stays_the_default() -> None:
    settings = Settings.from_env({"MEDQA_DATABASE_URL": "postgres://u:p@127.0.0.1:9/medqa"})
    assert settings.database_auth == "password" and settings.entra is None
    assert isinstance(make_engine(settings.database_url), PostgresEngine)


def test_building_the_engine_does_not_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    """Piccolo's constructor would connect to check the server version; at start-up that blocks when it is down."""
    attempts: list[object] = []

    async def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("no connection expected")

    monkeypatch.setattr(asyncpg, "connect", refuse)
    for engine in (make_engine("postgres://u:p@127.0.0.1:9/medqa"), make_engine("postgres://u@127.0.0.1:9/m", _token)):
        assert isinstance(engine, PostgresEngine)
    assert attempts == []


@pytest.mark.parametrize("name", ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE"])
def test_entra_without_the_webhook_variables_names_the_missing_one(webhook_env: dict[str, str], name: str) -> None:
    del webhook_env[name]
    with pytest.raises(ConfigError, match=rf"^{name}: required when MEDQA_DATABASE_AUTH=entra .*use=true\)$"):
        Settings.from_env({**overlay(), **webhook_env})


def test_unreadable_or_empty_token_file_is_refused(webhook_env: dict[str, str], tmp_path: Path) -> None:
    for path, reason in ((tmp_path / "missing", "FileNotFoundError"), (tmp_path, "IsADirectoryError")):
        with pytest.raises(ConfigError, match=rf"^AZURE_FEDERATED_TOKEN_FILE: cannot read .* \({reason}\)$"):
            Settings.from_env({**overlay(), **webhook_env, "AZURE_FEDERATED_TOKEN_FILE": str(path)})
    (tmp_path / "empty").write_text("")
    with pytest.raises(ConfigError, match=r"^AZURE_FEDERATED_TOKEN_FILE: .* is empty$"):
        Settings.from_env({**overlay(), **webhook_env, "AZURE_FEDERATED_TOKEN_FILE": str(tmp_path / "empty")})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"MEDQA_DATABASE_URL": "sqlite:///x.db"}, "MEDQA_DATABASE_URL: MEDQA_DATABASE_AUTH=entra needs a postgres"),
        ({"MEDQA_DATABASE_URL": "postgres://db.example/medqa"}, "MEDQA_DATABASE_URL: must name the identity"),
        ({"MEDQA_DATABASE_URL": "postgres://u:s3cret@db/medqa"}, "MEDQA_DATABASE_URL: must carry no password"),
        ({"AZURE_AUTHORITY_HOST": "http://login.example"}, "AZURE_AUTHORITY_HOST: must be an https:// URL"),
        ({"MEDQA_DATABASE_AUTH": "token"}, "MEDQA_DATABASE_AUTH: must be one of password, entra"),
    ],
)
def test_entra_misconfiguration_is_one_clear_line(
    webhook_env: dict[str, str], changes: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        Settings.from_env({**overlay(), **webhook_env, **changes})
    assert "s3cret" not in str(info.value) and "\n" not in str(info.value)
