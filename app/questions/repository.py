"""The record repository: the only code that touches the question table. No metrics, no audit, no HTTP."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Protocol

from piccolo.engine.postgres import PostgresEngine

from app.llm.base import Turn
from app.llm.prompts import DISCLAIMER
from app.pagination import as_datetime, as_uuid, newest_first
from app.questions.schemas import AnswerRecord, Usage
from app.questions.tables import QARecord

COLUMNS = (
    QARecord.id, QARecord.conversation_id, QARecord.question, QARecord.answer, QARecord.triage,
    QARecord.redactions, QARecord.model, QARecord.finish_reason, QARecord.prompt_tokens,
    QARecord.completion_tokens, QARecord.latency_ms, QARecord.created_at,
)  # fmt: skip
_INSERT_COLUMNS = (
    "id", "conversation_id", "question", "answer", "triage", "redactions", "model", "prompt_version",
    "finish_reason", "prompt_tokens", "completion_tokens", "latency_ms", "created_at",
)  # fmt: skip
_INSERT = (
    f"INSERT INTO {QARecord._meta.tablename} ({', '.join(_INSERT_COLUMNS)}) "  # noqa: S608 (fixed names, no input)
    f"VALUES ({', '.join(f'${n}' for n in range(1, len(_INSERT_COLUMNS) + 1))})"
)


class History(Protocol):
    """What the ask flow needs from storage: a conversation's latest turns, and one insert."""

    async def latest_turns(self, conversation_id: uuid.UUID, limit: int) -> list[Turn]:
        """Up to `limit` turns of the conversation, newest first."""
        ...

    async def insert(self, record: AnswerRecord, prompt_version: str) -> None:
        """Store one record."""
        ...


class RecordRepository:
    """Reads and writes `QARecord` rows and turns them into `AnswerRecord`s; raises only database errors."""

    __slots__ = ()

    async def latest_turns(self, conversation_id: uuid.UUID, limit: int) -> list[Turn]:
        """Up to `limit` turns of the conversation, newest first."""
        rows = await (
            QARecord.select(QARecord.question, QARecord.answer)
            .where(QARecord.conversation_id == conversation_id)
            .order_by(QARecord.created_at, ascending=False)
            .limit(limit)
        )
        return [Turn(row["question"], row["answer"]) for row in rows]

    async def insert(self, record: AnswerRecord, prompt_version: str) -> None:
        """INSERT one record: on PostgreSQL one fixed statement straight through the engine's asyncpg pool.

        asyncpg prepares it once per connection and caches it; Piccolo's `save()` would build the same SQL
        string and convert every value again on each request (7% of the service's CPU in the profile).
        Other engines (SQLite), and an open Piccolo transaction, keep Piccolo's path.
        """
        values = (
            record.id, record.conversation_id, record.question, record.answer, record.triage,
            ",".join(record.redactions), record.model, prompt_version, record.finish_reason,
            record.usage.prompt_tokens, record.usage.completion_tokens, record.latency_ms, record.created_at,
        )  # fmt: skip
        engine = QARecord._meta.db
        if isinstance(engine, PostgresEngine) and engine.pool is not None and engine.current_transaction.get() is None:
            await engine.pool.execute(_INSERT, *values)
            return
        fields: dict[str, Any] = dict(zip(_INSERT_COLUMNS, values, strict=True))
        await QARecord(**fields).save()

    async def get(self, record_id: uuid.UUID) -> AnswerRecord | None:
        """One record, or None."""
        row = await QARecord.select(*COLUMNS).where(QARecord.id == record_id).first()
        return None if row is None else to_schema(row)

    async def page(self, limit: int, before: str | None) -> list[AnswerRecord]:
        """One keyset page, newest first (a bad cursor is InvalidRequest before any query runs)."""
        query = newest_first(QARecord.select(*COLUMNS), QARecord.created_at, QARecord.id, limit, before)
        return [to_schema(row) for row in await query]

    async def conversation(self, conversation_id: uuid.UUID) -> list[AnswerRecord]:
        """Every turn of a conversation, oldest first (empty when there is none)."""
        rows = await (
            QARecord.select(*COLUMNS)
            .where(QARecord.conversation_id == conversation_id)
            .order_by(QARecord.created_at, QARecord.id)
        )
        return [to_schema(row) for row in rows]

    async def delete(self, record_id: uuid.UUID) -> int:
        """Delete one record; how many went (0 or 1)."""
        return len(await QARecord.delete().where(QARecord.id == record_id).returning(QARecord.id))

    async def delete_conversation(self, conversation_id: uuid.UUID) -> int:
        """Delete every record of a conversation; how many went."""
        deleted = await QARecord.delete().where(QARecord.conversation_id == conversation_id).returning(QARecord.id)
        return len(deleted)

    async def delete_older_than(self, cutoff: datetime, batch: int) -> int:
        """Delete up to `batch` records created before `cutoff`; how many went (0: none are left)."""
        rows = await QARecord.select(QARecord.id).where(QARecord.created_at < cutoff).limit(batch)
        if rows:
            await QARecord.delete().where(QARecord.id.is_in([row["id"] for row in rows]))
        return len(rows)

    async def probe(self) -> None:
        """Readiness: one cheap read of the table; raises when the database or the table is not there."""
        await QARecord.select(QARecord.id).limit(1)


# The insert on its own, for callers without a repository at hand (scripts, tests).
insert_record = RecordRepository().insert


def to_schema(row: dict[str, Any]) -> AnswerRecord:
    """A stored row as the API's record."""
    return AnswerRecord(
        id=as_uuid(row["id"]),
        conversation_id=as_uuid(row["conversation_id"]),
        question=row["question"],
        answer=row["answer"],
        triage=row["triage"],
        redactions=[kind for kind in str(row.get("redactions") or "").split(",") if kind],
        disclaimer=DISCLAIMER,
        model=row["model"],
        finish_reason=row["finish_reason"],
        usage=Usage(prompt_tokens=row["prompt_tokens"], completion_tokens=row["completion_tokens"]),
        latency_ms=row["latency_ms"],
        created_at=as_datetime(row["created_at"]),
    )
