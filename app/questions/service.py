"""The ask flow and the record queries: screening, model call, persistence, audit, metrics. No HTTP here."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from piccolo.engine.postgres import PostgresEngine

from app.access import audit
from app.db import guarded
from app.errors import InvalidRequest, ModelError, Overloaded, QuestionNotFound
from app.llm.base import AnswerModel, ModelAnswer, Turn
from app.llm.prompts import DISCLAIMER, PROMPT_VERSION
from app.pagination import as_datetime, as_uuid, decode_cursor, encode_cursor
from app.questions.schemas import MAX_QUESTION_CHARS, AnswerRecord, AskRequest, Guidance, QuestionPage, Usage
from app.questions.tables import QARecord
from app.safety.guidance import guidance_for
from app.safety.redaction import Redaction, redact
from app.safety.triage import Triage, triage
from app.system.metrics import Metrics

log = structlog.get_logger(__name__)
OUTCOMES = {"stop": "ok", "max_tokens": "max_tokens", "safety": "safety_blocked", "other": "ok"}
COLUMNS = (
    QARecord.id, QARecord.conversation_id, QARecord.question, QARecord.answer, QARecord.triage,
    QARecord.redactions, QARecord.model, QARecord.finish_reason, QARecord.prompt_tokens,
    QARecord.completion_tokens, QARecord.latency_ms, QARecord.created_at,
)  # fmt: skip
PURGE_BATCH = 500
_INSERT_COLUMNS = (
    "id", "conversation_id", "question", "answer", "triage", "redactions", "model", "prompt_version",
    "finish_reason", "prompt_tokens", "completion_tokens", "latency_ms", "created_at",
)  # fmt: skip
_INSERT = (
    f"INSERT INTO {QARecord._meta.tablename} ({', '.join(_INSERT_COLUMNS)}) "  # noqa: S608 (fixed names, no input)
    f"VALUES ({', '.join(f'${n}' for n in range(1, len(_INSERT_COLUMNS) + 1))})"
)
# C0 controls other than tab, newline and carriage return, and lone UTF-16 surrogates: PostgreSQL cannot
# store NUL, and no real question needs any of them.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Prepared:
    """A validated, screened and redacted question, ready for the model."""

    request: AskRequest
    question: str
    triage: Triage
    redaction: Redaction
    guidance: str | None
    history: list[Turn]


@dataclass
class QuestionService:
    """Answers questions and manages stored records; raises only MedQAError subclasses."""

    model: AnswerModel
    metrics: Metrics
    db_timeout_s: float
    locale: str = "intl"
    history_turns: int = 6
    history_chars: int = 8000
    max_inflight: int = 200
    inflight: int = 0

    @contextmanager
    def _slot(self) -> Iterator[None]:
        """Take one of `max_inflight` places, or refuse at once with 503 (never queue without bound)."""
        if self.inflight >= self.max_inflight:
            raise Overloaded(f"{self.max_inflight} questions are already being answered", retry_after=1)
        self.inflight += 1
        try:
            yield
        finally:
            self.inflight -= 1

    async def prepare(self, request: AskRequest) -> Prepared:
        """Validate, triage and redact the question, and load the conversation's earlier turns."""
        question = request.question.strip()
        if not 1 <= len(question) <= MAX_QUESTION_CHARS:
            raise InvalidRequest(
                f"question must be 1 to {MAX_QUESTION_CHARS} characters after trimming, got {len(question)}",
                errors=[{"field": "question", "message": f"length must be 1..{MAX_QUESTION_CHARS} after trimming"}],
            )
        if _UNSTORABLE.search(question):
            raise InvalidRequest(
                "question contains control characters or invalid Unicode (NUL, lone surrogates)",
                errors=[{"field": "question", "message": "control characters and lone surrogates are not allowed"}],
            )
        screen = triage(question)
        redaction = redact(question)
        self.metrics.triage.labels(level=screen.level).inc()
        for kind, count in redaction.counts.items():
            self.metrics.redactions.labels(kind=kind).inc(count)
        history = await self._history(request.conversation_id)
        return Prepared(request, redaction.text, screen, redaction, guidance_for(screen, self.locale), history)

    async def ask(self, request: AskRequest) -> AnswerRecord:
        """Screen, ask the model, store the redacted record, return it; a failed insert is a 503, never silent."""
        with self._slot():
            prepared = await self.prepare(request)
            answer, latency_ms = await self._ask_model(prepared)
            return await self._store(prepared, answer, latency_ms)

    async def ask_stream(self, prepared: Prepared) -> AsyncIterator[str | Guidance | AnswerRecord]:
        """Yield the guidance (if any), the model's text chunks, then the stored record.

        The record is stored once, after the last chunk: a client that goes away mid-stream cancels
        this generator before that point, so no half record is ever written.
        """
        with self._slot():
            async for item in self._stream(prepared):
                yield item

    async def _stream(self, prepared: Prepared) -> AsyncIterator[str | Guidance | AnswerRecord]:
        if prepared.guidance:
            yield Guidance(prepared.triage.level, prepared.guidance)
        label, start, first = self.model.label, time.perf_counter(), True
        answer: ModelAnswer | None = None
        try:
            async for item in self.model.stream(prepared.question, prepared.history):
                if isinstance(item, ModelAnswer):
                    answer = item
                    continue
                if first:
                    self.metrics.llm_ttft.labels(model=label).observe(time.perf_counter() - start)
                    first = False
                yield item
        except ModelError as exc:
            self._model_failed(exc, prepared)
        finally:
            self.metrics.llm_duration.labels(model=label).observe(time.perf_counter() - start)
        if answer is not None:
            self._model_answered(answer)
        yield await self._store(prepared, answer, round((time.perf_counter() - start) * 1000))

    async def _history(self, conversation_id: uuid.UUID | None) -> list[Turn]:
        """The latest turns of a conversation, oldest first, within the turn and character bounds."""
        if conversation_id is None or self.history_turns == 0:
            return []
        async with guarded("select", self.metrics, self.db_timeout_s):
            rows = await (
                QARecord.select(QARecord.question, QARecord.answer)
                .where(QARecord.conversation_id == conversation_id)
                .order_by(QARecord.created_at, ascending=False)
                .limit(self.history_turns)
            )
        turns, used = [], 0
        for row in rows:
            used += len(row["question"]) + len(row["answer"])
            if used > self.history_chars:
                break
            turns.append(Turn(row["question"], row["answer"]))
        return list(reversed(turns))

    async def _ask_model(self, prepared: Prepared) -> tuple[ModelAnswer | None, int]:
        """Call the model and record its metrics. When guidance must go out, a model failure is not fatal."""
        start = time.perf_counter()
        try:
            answer = await self.model.answer(prepared.question, prepared.history)
        except ModelError as exc:
            self._model_failed(exc, prepared)
            return None, round((time.perf_counter() - start) * 1000)
        finally:
            self.metrics.llm_duration.labels(model=self.model.label).observe(time.perf_counter() - start)
        self._model_answered(answer)
        return answer, round((time.perf_counter() - start) * 1000)

    def _model_failed(self, exc: ModelError, prepared: Prepared) -> None:
        """Count and log a model failure; re-raise it unless fixed guidance answers the question."""
        label = self.model.label
        self.metrics.llm_requests.labels(model=label, outcome=exc.outcome).inc()
        guidance_only = prepared.guidance is not None
        log.warning(
            "llm.failed", model=label, outcome=exc.outcome, error=type(exc).__name__, guidance_only=guidance_only
        )
        if not guidance_only:
            raise exc

    def _model_answered(self, answer: ModelAnswer) -> None:
        label = self.model.label
        self.metrics.llm_requests.labels(model=label, outcome=OUTCOMES[answer.finish_reason]).inc()
        self.metrics.llm_tokens.labels(model=label, direction="prompt").inc(answer.prompt_tokens)
        self.metrics.llm_tokens.labels(model=label, direction="completion").inc(answer.completion_tokens)

    async def _store(self, prepared: Prepared, answer: ModelAnswer | None, latency_ms: int) -> AnswerRecord:
        """Store the redacted record (guidance first, then the model's text) and return it."""
        screen = prepared.triage
        text = "\n\n".join(part for part in (prepared.guidance, answer.text if answer else None) if part)
        record = AnswerRecord(
            id=uuid.uuid4(),
            conversation_id=prepared.request.conversation_id or uuid.uuid4(),
            question=prepared.question,
            answer=text,
            triage=screen.level,
            redactions=list(prepared.redaction.kinds),
            disclaimer=DISCLAIMER,
            model=answer.model if answer else self.model.label,
            finish_reason=answer.finish_reason if answer else "other",
            usage=Usage(answer.prompt_tokens if answer else 0, answer.completion_tokens if answer else 0),
            latency_ms=latency_ms,
            created_at=datetime.now(UTC),
        )
        async with guarded("insert", self.metrics, self.db_timeout_s):
            await insert_record(record, f"{PROMPT_VERSION}+triage:{screen.version}")
        log.info(
            "question.answered", record_id=str(record.id), triage=screen.level, triage_rules=list(screen.rules),
            redactions=record.redactions, model=record.model, finish_reason=record.finish_reason,
            prompt_tokens=record.usage.prompt_tokens, completion_tokens=record.usage.completion_tokens,
            llm_latency_ms=latency_ms, history_turns=len(prepared.history),
        )  # fmt: skip
        return record

    async def get(self, record_id: uuid.UUID, actor: str) -> AnswerRecord:
        """One stored record, or QuestionNotFound; the read is audited."""
        async with guarded("select", self.metrics, self.db_timeout_s):
            row = await QARecord.select(*COLUMNS).where(QARecord.id == record_id).first()
            if row is None:
                raise QuestionNotFound(f"no question with id {record_id}")
            await audit.record(actor, "read", str(record_id))
        return to_schema(row)

    async def page(self, limit: int, before: str | None, actor: str) -> QuestionPage:
        """A page of records, newest first, after the keyset cursor `before`; the listing is audited."""
        query = QARecord.select(*COLUMNS).order_by(QARecord.created_at, QARecord.id, ascending=False).limit(limit)
        if before is not None:
            created_at, last_id = decode_cursor(before)
            query = query.where(
                (QARecord.created_at < created_at) | ((QARecord.created_at == created_at) & (QARecord.id < last_id))
            )
        async with guarded("select", self.metrics, self.db_timeout_s):
            rows = await query
            await audit.record(actor, "list", before or "first-page", count=len(rows))
        items = [to_schema(row) for row in rows]
        next_before = encode_cursor(items[-1].created_at, items[-1].id) if len(items) == limit else None
        return QuestionPage(items=items, next_before=next_before)

    async def conversation(self, conversation_id: uuid.UUID, actor: str) -> list[AnswerRecord]:
        """Every turn of a conversation, oldest first; QuestionNotFound when it has none; audited."""
        async with guarded("select", self.metrics, self.db_timeout_s):
            rows = await (
                QARecord.select(*COLUMNS)
                .where(QARecord.conversation_id == conversation_id)
                .order_by(QARecord.created_at, QARecord.id)
            )
            if not rows:
                raise QuestionNotFound(f"no conversation with id {conversation_id}")
            await audit.record(actor, "read_conversation", str(conversation_id), count=len(rows))
        return [to_schema(row) for row in rows]

    async def delete(self, record_id: uuid.UUID, actor: str) -> None:
        """Erase one record on request; QuestionNotFound when there is none."""
        async with guarded("delete", self.metrics, self.db_timeout_s):
            deleted = await QARecord.delete().where(QARecord.id == record_id).returning(QARecord.id)
            if not deleted:
                raise QuestionNotFound(f"no question with id {record_id}")
            await audit.record(actor, "delete", str(record_id))

    async def delete_conversation(self, conversation_id: uuid.UUID, actor: str) -> int:
        """Erase every record of a conversation; QuestionNotFound when it has none."""
        async with guarded("delete", self.metrics, self.db_timeout_s):
            deleted = await QARecord.delete().where(QARecord.conversation_id == conversation_id).returning(QARecord.id)
            if not deleted:
                raise QuestionNotFound(f"no conversation with id {conversation_id}")
            await audit.record(actor, "delete_conversation", str(conversation_id), count=len(deleted))
        return len(deleted)


async def purge_older_than(days: int, metrics: Metrics, db_timeout_s: float, actor: str = "medqa purge") -> int:
    """Delete records older than the retention period, in batches; audit and return how many went."""
    cutoff = datetime.now(UTC) - timedelta(days=days)
    total = 0
    while True:
        async with guarded("purge", metrics, db_timeout_s * 6):
            batch = await QARecord.select(QARecord.id).where(QARecord.created_at < cutoff).limit(PURGE_BATCH)
            if not batch:
                break
            await QARecord.delete().where(QARecord.id.is_in([row["id"] for row in batch]))
        total += len(batch)
    async with guarded("insert", metrics, db_timeout_s):
        await audit.record(actor, "purge", f"older-than-{days}d", count=total)
    return total


async def insert_record(record: AnswerRecord, prompt_version: str) -> None:
    """INSERT one record: on PostgreSQL one fixed statement straight through the engine's asyncpg pool.

    asyncpg prepares it once per connection and caches it; Piccolo's `save()` would build the same SQL
    string and convert every value again on each request (7% of the service's CPU in the profile).
    Other engines (SQLite) keep Piccolo's path.
    """
    values = (
        record.id, record.conversation_id, record.question, record.answer, record.triage, ",".join(record.redactions),
        record.model, prompt_version, record.finish_reason, record.usage.prompt_tokens,
        record.usage.completion_tokens, record.latency_ms, record.created_at,
    )  # fmt: skip
    engine = QARecord._meta.db
    if isinstance(engine, PostgresEngine) and engine.pool is not None and engine.current_transaction.get() is None:
        await engine.pool.execute(_INSERT, *values)
        return
    fields: dict[str, Any] = dict(zip(_INSERT_COLUMNS, values, strict=True))
    await QARecord(**fields).save()


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
