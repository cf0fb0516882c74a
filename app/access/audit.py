"""The audit log: one row per read or deletion of stored records, by key name."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from app.access.tables import AuditEvent


async def record(actor: str, action: str, target: str, count: int = 1) -> None:
    """Append one audit event."""
    await AuditEvent(
        id=uuid.uuid4(), at=datetime.now(UTC), actor=actor, action=action, target=target, records=count
    ).save()
