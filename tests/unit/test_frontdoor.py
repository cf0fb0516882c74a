"""The Front Door check: only requests carrying our X-Azure-FDID pass; probes and metrics are exempt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from app.settings import ConfigError, Settings
from tests.unit.apps import client

FDID = "6f1c2b3a-0d4e-4f5a-9b8c-7d6e5f4a3b2c"
OTHER = "0b5e1a52-3c0d-4b8e-a2f1-9d7c6b5a4e3f"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient[Any]]:
    with client(tmp_path_factory.mktemp("fd"), Settings(front_door_id=FDID)) as test_client:
        yield test_client


def assert_forbidden(response: Any, sent: str | None = None) -> None:
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 403 and "Azure Front Door" in problem["detail"]
    assert "x-request-id" in response.headers  # still observed: counted, logged, tagged
    if sent:
        assert sent not in response.text


def test_request_through_our_front_door_passes(guarded: TestClient[Any]) -> None:
    assert guarded.get("/", headers={"X-Azure-FDID": FDID}).status_code == 200
    assert (
        guarded.post("/ask", json={"question": "What is a fever?"}, headers={"X-Azure-FDID": FDID}).status_code == 200
    )
    assert guarded.get("/", headers={"X-Azure-FDID": FDID.upper()}).status_code == 200


def test_missing_header_is_forbidden(guarded: TestClient[Any]) -> None:
    assert_forbidden(guarded.post("/ask", json={"question": "What is a fever?"}))
    assert_forbidden(guarded.get("/schema/openapi.json"))


def test_another_front_door_is_forbidden_without_echoing_its_id(guarded: TestClient[Any]) -> None:
    assert_forbidden(guarded.get("/", headers={"X-Azure-FDID": OTHER}), sent=OTHER)
    assert_forbidden(guarded.get("/", headers={"X-Azure-FDID": ""}))
    assert_forbidden(guarded.get("/", headers={"X-Azure-FDID": FDID[:-1]}))
    assert_forbidden(guarded.get("/", headers=[("X-Azure-FDID", FDID), ("X-Azure-FDID", OTHER)]), sent=OTHER)


def test_unknown_paths_are_forbidden_too_so_a_direct_caller_learns_no_routes(guarded: TestClient[Any]) -> None:
    assert_forbidden(guarded.get("/no-such-page"))
    assert guarded.get("/no-such-page", headers={"X-Azure-FDID": FDID}).status_code == 404


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_probes_and_metrics_are_exempt(guarded: TestClient[Any], path: str) -> None:
    assert guarded.get(path).status_code == 200


def test_check_is_off_when_unset(tmp_path: Path) -> None:
    with client(tmp_path, Settings()) as test_client:
        assert test_client.get("/").status_code == 200


def test_setting_must_be_a_guid_and_is_not_echoed() -> None:
    assert Settings.from_env({"MEDQA_FRONT_DOOR_ID": FDID.upper()}).front_door_id == FDID
    assert Settings.from_env({}).front_door_id is None
    for bad in ("frontdoor-prod", FDID + "0", FDID.replace("-", ""), "{" + FDID + "}"):
        with pytest.raises(ConfigError, match="MEDQA_FRONT_DOOR_ID: must be a GUID") as info:
            Settings.from_env({"MEDQA_FRONT_DOOR_ID": bad})
        assert bad not in str(info.value)
