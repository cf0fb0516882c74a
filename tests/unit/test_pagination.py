"""Keyset paging: opaque cursors that round-trip, bad ones refused naming `before`, the query built once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from piccolo.engine.sqlite import SQLiteEngine

from app.access.tables import AuditEvent
from app.errors import InvalidRequest
from app.pagination import as_datetime, as_uuid, decode_cursor, encode_cursor, newest_first, next_before
from app.questions.tables import QARecord

AT = datetime(2026, 11, 25, 17, 36, 15, 222362, tzinfo=UTC)
ID = uuid.UUID("6f1c2b3a-0d4e-4f5a-9b8c-7d6e5f4a3b2c")


def test_a_cursor_round_trips_and_is_opaque() -> None:
    cursor = encode_cursor(AT, ID)
    assert decode_cursor(cursor) == (AT, ID)
    assert str(ID) not in cursor and "=" not in cursor


@pytest.mark.parametrize("cursor", ["", "not-a-cursor", "!!!", encode_cursor(AT, ID)[:-3], "bm8tcGlwZQ"])
def test_a_bad_cursor_is_invalid_and_names_before(cursor: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        decode_cursor(cursor)
    assert info.value.errors == [{"field": "before", "message": "invalid cursor"}]


@dataclass
class Item:
    id: uuid.UUID
    at: datetime


def test_next_before_only_when_the_page_is_full() -> None:
    items = [Item(uuid.uuid4(), AT), Item(ID, AT)]
    assert next_before(items, 2, "at") == encode_cursor(AT, ID)
    assert next_before(items, 3, "at") is None
    assert next_before([], 1, "at") is None


def test_the_query_orders_newest_first_and_seeks_past_the_cursor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = SQLiteEngine(path=str(tmp_path / "q.sqlite"))  # only to render the SQL; nothing runs
    for table in (QARecord, AuditEvent):
        monkeypatch.setattr(table._meta, "_db", engine)
    first = str(newest_first(QARecord.select(QARecord.id), QARecord.created_at, QARecord.id, 5, None))
    assert 'ORDER BY "qa_record"."created_at" DESC, "qa_record"."id" DESC' in first and "LIMIT 5" in first
    assert "WHERE" not in first
    later = str(newest_first(AuditEvent.select(), AuditEvent.at, AuditEvent.id, 2, encode_cursor(AT, ID)))
    assert "WHERE" in later and '"audit_event"."at" <' in later and str(ID) in later


def test_a_bad_cursor_fails_before_any_query() -> None:
    with pytest.raises(InvalidRequest):
        newest_first(QARecord.select(), QARecord.created_at, QARecord.id, 5, "bogus")


def test_sqlite_values_are_converted() -> None:
    assert as_datetime(AT.isoformat()) == AT and as_datetime(AT) is AT
    assert as_uuid(str(ID)) == ID and as_uuid(ID) is ID
