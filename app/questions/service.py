"""Reading, erasing and purging stored records (audited), and the whole domain in one object for scripts and tests.

The app wires the parts itself (asgi.py): `AskFlow` (ask.py), `RecordService` (here), `Admission`
(admission.py), `RecordRepository` (repository.py) and the instrumented model (app/llm/instrumented.py).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from app.access import audit
from app.db import guarded
from app.errors import QuestionNotFound
from app.llm.base import AnswerModel
from app.llm.instrumented import InstrumentedModel
from app.pagination import next_before
from app.questions.admission import Admission
from app.questions.ask import AskFlow, Prepared
from app.questions.repository import RecordRepository, insert_record, to_schema
from app.questions.schemas import AnswerRecord, AskRequest, QuestionPage
from app.system.metrics import Metrics

__all__ = ["PURGE_BATCH", "QuestionService", "RecordService", "insert_record", "purge_older_than", "to_schema"]
PURGE_BATCH = 500


class RecordService:
    """Stored records by id, page or conversation, and their erasure; every access is audited by actor."""

    __slots__ = ("db_timeout_s", "metrics", "repository")

    def __init__(self, *, repository: RecordRepository, metrics: Metrics, db_timeout_s: float) -> None:
        self.repository, self.metrics, self.db_timeout_s = repository, metrics, db_timeout_s

    async def get(self, record_id: uuid.UUID, actor: str) -> AnswerRecord:
        """One stored record, or QuestionNotFound; the read is audited."""
        async with guarded("select", self.metrics, self.db_timeout_s):
            record = await self.repository.get(record_id)
            if record is None:
                raise QuestionNotFound(f"no question with id {record_id}")
            await audit.record(actor, "read", str(record_id))
        return record

    async def page(self, limit: int, before: str | None, actor: str) -> QuestionPage:
        """A page of records, newest first, after the keyset cursor `before`; the listing is audited."""
        async with guarded("select", self.metrics, self.db_timeout_s):  # a bad cursor is InvalidRequest, unguarded
            items = await self.repository.page(limit, before)
            await audit.record(actor, "list", before or "first-page", count=len(items))
        return QuestionPage(items=items, next_before=next_before(items, limit, "created_at"))

    async def conversation(self, conversation_id: uuid.UUID, actor: str) -> list[AnswerRecord]:
        """Every turn of a conversation, oldest first; QuestionNotFound when it has none; audited."""
        async with guarded("select", self.metrics, self.db_timeout_s):
            turns = await self.repository.conversation(conversation_id)
            if not turns:
                raise QuestionNotFound(f"no conversation with id {conversation_id}")
            await audit.record(actor, "read_conversation", str(conversation_id), count=len(turns))
        return turns

    async def delete(self, record_id: uuid.UUID, actor: str) -> None:
        """Erase one record on request; QuestionNotFound when there is none."""
        async with guarded("delete", self.metrics, self.db_timeout_s):
            if not await self.repository.delete(record_id):
                raise QuestionNotFound(f"no question with id {record_id}")
            await audit.record(actor, "delete", str(record_id))

    async def delete_conversation(self, conversation_id: uuid.UUID, actor: str) -> int:
        """Erase every record of a conversation; QuestionNotFound when it has none."""
        async with guarded("delete", self.metrics, self.db_timeout_s):
            deleted = await self.repository.delete_conversation(conversation_id)
            if not deleted:
                raise QuestionNotFound(f"no conversation with id {conversation_id}")
            await audit.record(actor, "delete_conversation", str(conversation_id), count=deleted)
        return deleted


async def purge_older_than(days: int, metrics: Metrics, db_timeout_s: float, actor: str = "medqa purge") -> int:
    """Delete records older than the retention period, in batches; audit and return how many went."""
    cutoff = datetime.now(UTC) - timedelta(days=days)
    repository, total = RecordRepository(), 0
    while True:
        async with guarded("purge", metrics, db_timeout_s * 6):
            deleted = await repository.delete_older_than(cutoff, PURGE_BATCH)
        if not deleted:
            break
        total += deleted
    async with guarded("insert", metrics, db_timeout_s):
        await audit.record(actor, "purge", f"older-than-{days}d", count=total)
    return total


class QuestionService:
    """The questions domain assembled in one object (ask, read, erase), for scripts and the integration tests.

    It builds the same parts the app builds in asgi.py, so it answers exactly as the service does.
    """

    def __init__(  # noqa: PLR0913 (the domain's every knob, with defaults; the parts take keywords only)
        self,
        model: AnswerModel,
        metrics: Metrics,
        db_timeout_s: float,
        *,
        locale: str = "intl",
        history_turns: int = 6,
        history_chars: int = 8000,
        max_inflight: int = 200,
    ) -> None:
        self.metrics, self.db_timeout_s = metrics, db_timeout_s
        repository = RecordRepository()
        self.flow = AskFlow(
            model=InstrumentedModel(inner=model, metrics=metrics),
            records=repository,
            admission=Admission(limit=max_inflight),
            metrics=metrics,
            db_timeout_s=db_timeout_s,
            locale=locale,
            history_turns=history_turns,
            history_chars=history_chars,
        )
        self.records = RecordService(repository=repository, metrics=metrics, db_timeout_s=db_timeout_s)
        self.get, self.page, self.conversation = self.records.get, self.records.page, self.records.conversation
        self.delete, self.delete_conversation = self.records.delete, self.records.delete_conversation

    async def prepare(self, request: AskRequest) -> Prepared:
        """See AskFlow.prepare."""
        return await self.flow.prepare(request)

    async def ask(self, request: AskRequest) -> AnswerRecord:
        """See AskFlow.ask."""
        return await self.flow.ask(request)
