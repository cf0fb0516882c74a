"""API keys on a real PostgreSQL: created once, stored hashed, verified, revoked."""

from __future__ import annotations

import hashlib

import pytest
from piccolo.engine.postgres import PostgresEngine

from app.access.keys import ApiKeyProblem, KeyVerifier, create_key, list_keys, revoke_key
from app.access.tables import ApiKey

pytestmark = pytest.mark.postgres


async def test_key_is_stored_only_as_a_hash(engine: PostgresEngine) -> None:
    key = await create_key("ci-reader", ["read"])
    row = await ApiKey.select().where(ApiKey.name == "ci-reader").first()
    assert row is not None
    assert key not in str(row.values())
    assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    listed = await list_keys()
    assert [item["name"] for item in listed] == ["ci-reader"] and "key_hash" not in listed[0]


async def test_verify_accepts_the_key_and_rejects_lookalikes(engine: PostgresEngine) -> None:
    key = await create_key("ops", ["admin"])
    verifier = KeyVerifier()
    principal = await verifier.verify(key)
    assert principal is not None and principal.name == "ops" and principal.allows("read")
    assert await verifier.verify(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert await verifier.verify("mqa_000000000000_" + "x" * 43) is None
    assert await verifier.verify("not-a-key") is None


async def test_revoked_key_stops_working(engine: PostgresEngine) -> None:
    key = await create_key("temp", ["ask"])
    await revoke_key("temp")
    assert await KeyVerifier().verify(key) is None
    with pytest.raises(ApiKeyProblem, match="no active key"):
        await revoke_key("temp")


@pytest.mark.parametrize(
    ("name", "scopes", "message"),
    [("", ["read"], "name"), ("x", [], "scopes"), ("x", ["root"], "root")],
)
async def test_invalid_key_requests_are_refused(
    engine: PostgresEngine, name: str, scopes: list[str], message: str
) -> None:
    with pytest.raises(ApiKeyProblem, match=message):
        await create_key(name, scopes)


async def test_duplicate_names_are_refused(engine: PostgresEngine) -> None:
    await create_key("dup", ["read"])
    with pytest.raises(ApiKeyProblem, match="already exists"):
        await create_key("dup", ["read"])


async def test_audit_log_pages_newest_first(engine: PostgresEngine) -> None:
    from app.access import audit
    from app.errors import InvalidRequest

    for i in range(5):
        await audit.record("ops", "read", f"record-{i}")
    first = await audit.page(limit=3, before=None)
    assert [item.target for item in first.items] == ["record-4", "record-3", "record-2"]
    assert first.next_before is not None
    second = await audit.page(limit=3, before=first.next_before)
    assert [item.target for item in second.items] == ["record-1", "record-0"] and second.next_before is None
    with pytest.raises(InvalidRequest):
        await audit.page(limit=3, before="bogus")
