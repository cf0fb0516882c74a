"""Opaque keyset cursors over (timestamp, id), shared by every newest-first listing."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime

from app.errors import InvalidRequest


def encode_cursor(at: datetime, row_id: uuid.UUID) -> str:
    """An opaque cursor for (at, id)."""
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{row_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """Parse a cursor from `encode_cursor`, or raise InvalidRequest naming `before`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, row_id = raw.split("|")
        return datetime.fromisoformat(stamp), uuid.UUID(row_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidRequest(
            "before is not a cursor this service issued", errors=[{"field": "before", "message": "invalid cursor"}]
        ) from None


def as_datetime(value: object) -> datetime:
    """A timestamp column value as a datetime (SQLite hands back ISO strings)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def as_uuid(value: object) -> uuid.UUID:
    """A UUID column value as a UUID (SQLite hands back strings)."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
