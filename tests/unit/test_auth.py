"""API keys on requests: anonymous without a header, 401 for a bad key, 403 without the scope, 503 when unverifiable."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from litestar.testing import TestClient

from app.access.auth import ApiKeyMiddleware
from app.access.keys import Principal, create_key
from app.errors import DatabaseUnavailable
from app.settings import Settings
from tests.unit.apps import client

BEARER = 'Bearer realm="medqa"'


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient[Any], dict[str, str]]]:
    """An app that wants an `ask` key for /ask, and one key per scope (created on its SQLite file)."""
    with client(tmp_path_factory.mktemp("auth"), Settings(ask_requires_key=True)) as test_client:
        keys = {scope: asyncio.run(create_key(f"{scope}-key", [scope])) for scope in ("ask", "read", "admin")}
        yield test_client, keys


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def assert_problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["type"] == f"urn:medqa:problem:{slug}" and problem["status"] == status
    return problem


def test_without_a_key_a_guarded_route_is_401_naming_the_scheme(app: tuple[TestClient[Any], dict[str, str]]) -> None:
    test_client, _ = app
    response = test_client.get("/questions")
    problem = assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == BEARER and "'read' scope" in problem["detail"]


@pytest.mark.parametrize(
    ("header", "detail"),
    [("Basic dXNlcjpwYXNz", "use Authorization: Bearer"), ("Bearer ", "use Authorization: Bearer"),
     ("Bearer mqa_000000000000_" + "x" * 43, "not valid"), ("Bearer nonsense", "not valid")],
)  # fmt: skip
def test_a_bad_key_is_401_at_once_even_on_open_routes(
    app: tuple[TestClient[Any], dict[str, str]], header: str, detail: str
) -> None:
    test_client, _ = app
    response = test_client.get("/", headers={"Authorization": header})
    assert detail in assert_problem(response, 401, "unauthorized")["detail"]
    assert response.headers["www-authenticate"] == BEARER
    assert header.split(" ", 1)[-1] not in response.text or header.endswith(" ")


def test_a_key_without_the_scope_is_403(app: tuple[TestClient[Any], dict[str, str]]) -> None:
    test_client, keys = app
    assert test_client.get("/questions", headers=auth(keys["read"])).status_code == 200
    problem = assert_problem(test_client.get("/audit", headers=auth(keys["read"])), 403, "forbidden")
    assert "'admin' scope" in problem["detail"]
    assert_problem(
        test_client.post("/ask", json={"question": "What is a fever?"}, headers=auth(keys["read"])), 403, "forbidden"
    )


def test_admin_covers_every_scope(app: tuple[TestClient[Any], dict[str, str]]) -> None:
    test_client, keys = app
    assert test_client.get("/questions", headers=auth(keys["admin"])).status_code == 200
    assert test_client.get("/audit", headers=auth(keys["admin"])).status_code == 200


def test_ask_needs_an_ask_key_when_configured(app: tuple[TestClient[Any], dict[str, str]]) -> None:
    test_client, keys = app
    assert_problem(test_client.post("/ask", json={"question": "What is a fever?"}), 401, "unauthorized")
    assert test_client.post("/ask", json={"question": "What is a fever?"}, headers=auth(keys["ask"])).status_code == 200


def test_ask_is_open_by_default(tmp_path: Path) -> None:
    with client(tmp_path, Settings()) as test_client:
        assert test_client.post("/ask", json={"question": "What is a fever?"}).status_code == 200
        assert_problem(test_client.get("/questions"), 401, "unauthorized")


def test_principals_allow_their_scopes_and_admin_allows_all() -> None:
    assert Principal("r", frozenset({"read"})).allows("read")
    assert not Principal("r", frozenset({"read"})).allows("admin")
    assert Principal("a", frozenset({"admin"})).allows("ask")


class _BrokenVerifier:
    async def verify(self, key: str) -> Principal | None:
        raise OSError("database gone")


async def test_a_key_that_cannot_be_checked_is_database_unavailable() -> None:
    async def app(*_: Any) -> None:
        return None

    middleware = ApiKeyMiddleware(app, verifier=_BrokenVerifier())  # type: ignore[arg-type]
    connection: Any = SimpleNamespace(headers={"authorization": "Bearer mqa_000000000000_" + "x" * 43})
    with pytest.raises(DatabaseUnavailable) as info:
        await middleware.authenticate_request(connection)
    assert info.value.retry_after == 5
