"""Keyset paging over (timestamp, id), written once for every newest-first listing: opaque cursors and the query."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from piccolo.columns import Column
from piccolo.query.methods.select import Select
from piccolo.table import Table

from app.errors import InvalidRequest

T = TypeVar("T", bound=Table)


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


def newest_first(query: Select[T], at: Column, row_id: Column, limit: int, before: str | None) -> Select[T]:
    """`query` as one keyset page: newest first by (at, id), `limit` rows, strictly after the cursor `before`.

    The cursor is decoded first, so a bad one is InvalidRequest before any database work.
    """
    query = query.order_by(at, row_id, ascending=False).limit(limit)
    if before is not None:
        stamp, last_id = decode_cursor(before)
        query = query.where((at < stamp) | ((at == stamp) & (row_id < last_id)))
    return query


def next_before(items: Sequence[Any], limit: int, at: str) -> str | None:
    """The cursor of the page after `items` (objects with `at` and `id`), or None when this page was the last."""
    if len(items) < limit or not items:
        return None
    last = items[-1]
    return encode_cursor(getattr(last, at), last.id)
