"""GET /audit: the audit log, for admin keys only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, get
from litestar.datastructures import State
from litestar.params import Parameter

from app.access.auth import requires
from app.access.tables import AuditEvent
from app.db import guarded
from app.pagination import as_datetime, as_uuid, decode_cursor, encode_cursor


class AuditEntry(msgspec.Struct):
    """One audited action."""

    id: UUID
    at: datetime
    actor: str
    action: str
    target: str
    records: int


class AuditPage(msgspec.Struct):
    """A page of audit entries, newest first."""

    items: list[AuditEntry]
    next_before: str | None


class AuditController(Controller):
    """Who read or erased what, and when."""

    tags = ["audit"]  # noqa: RUF012 (Litestar declares it as an instance attribute)
    guards = [requires("admin")]  # noqa: RUF012

    @get("/audit", summary="List audit events, newest first")
    async def list_audit(
        self,
        state: State,
        limit: Annotated[int, Parameter(ge=1, le=500, description="Page size.")] = 100,
        before: Annotated[str | None, Parameter(description="Cursor from a previous page's next_before.")] = None,
    ) -> AuditPage:
        """A page of the audit log."""
        query = AuditEvent.select().order_by(AuditEvent.at, AuditEvent.id, ascending=False).limit(limit)
        if before is not None:
            at, last_id = decode_cursor(before)
            query = query.where((AuditEvent.at < at) | ((AuditEvent.at == at) & (AuditEvent.id < last_id)))
        async with guarded("select", state.metrics, state.settings.db_timeout_s):
            rows: list[dict[str, Any]] = await query
        items = [
            AuditEntry(as_uuid(r["id"]), as_datetime(r["at"]), r["actor"], r["action"], r["target"], r["records"])
            for r in rows
        ]
        next_before = encode_cursor(items[-1].at, items[-1].id) if len(items) == limit else None
        return AuditPage(items=items, next_before=next_before)
