"""The audit log: one row per read or deletion of stored records, by key name."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec

from app.access.tables import AuditEvent
from app.db import guarded
from app.pagination import as_datetime, as_uuid, newest_first, next_before
from app.system.metrics import Metrics


class AuditEntry(msgspec.Struct):
    """One audited action."""

    id: uuid.UUID
    at: datetime
    actor: str
    action: str
    target: str
    records: int


class AuditPage(msgspec.Struct):
    """A page of audit entries, newest first."""

    items: list[AuditEntry]
    next_before: str | None


async def record(actor: str, action: str, target: str, count: int = 1) -> None:
    """Append one audit event."""
    event = AuditEvent(id=uuid.uuid4(), at=datetime.now(UTC), actor=actor, action=action, target=target, records=count)
    await event.save()


async def page(limit: int, before: str | None) -> AuditPage:
    """A page of audit events, newest first, after the keyset cursor `before`."""
    rows: list[dict[str, Any]] = await newest_first(AuditEvent.select(), AuditEvent.at, AuditEvent.id, limit, before)
    items = [
        AuditEntry(as_uuid(r["id"]), as_datetime(r["at"]), r["actor"], r["action"], r["target"], r["records"])
        for r in rows
    ]
    return AuditPage(items=items, next_before=next_before(items, limit, "at"))


class AuditLog:
    """`GET /audit`'s service: pages of the log under the database guard."""

    __slots__ = ("db_timeout_s", "metrics")

    def __init__(self, *, metrics: Metrics, db_timeout_s: float) -> None:
        self.metrics, self.db_timeout_s = metrics, db_timeout_s

    async def page(self, limit: int, before: str | None) -> AuditPage:
        """A page of audit events, newest first; a database failure is DatabaseUnavailable."""
        async with guarded("select", self.metrics, self.db_timeout_s):
            return await page(limit, before)
