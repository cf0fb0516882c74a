"""The ask flow and the record queries: validation, model call, persistence, metrics. No HTTP here."""

from __future__ import annotations

import base64
import binascii
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog

from app.db import guarded
from app.errors import InvalidRequest, ModelError, QuestionNotFound
from app.llm.base import AnswerModel, ModelAnswer
from app.llm.prompts import DISCLAIMER, PROMPT_VERSION
from app.questions.schemas import MAX_QUESTION_CHARS, AnswerRecord, AskRequest, QuestionPage, Usage
from app.questions.tables import QARecord
from app.system.metrics import Metrics

log = structlog.get_logger(__name__)
OUTCOMES = {"stop": "ok", "max_tokens": "max_tokens", "safety": "safety_blocked", "other": "ok"}
COLUMNS = (
    QARecord.id, QARecord.conversation_id, QARecord.question, QARecord.answer, QARecord.triage,
    QARecord.model, QARecord.finish_reason, QARecord.prompt_tokens, QARecord.completion_tokens,
    QARecord.latency_ms, QARecord.created_at,
)  # fmt: skip


@dataclass
class QuestionService:
    """Answers questions and reads stored records; raises only MedQAError subclasses."""

    model: AnswerModel
    metrics: Metrics
    db_timeout_s: float

    async def ask(self, request: AskRequest) -> AnswerRecord:
        """Validate, ask the model, store the record, return it; a failed insert is a 503, never silent."""
        question = request.question.strip()
        if not 1 <= len(question) <= MAX_QUESTION_CHARS:
            raise InvalidRequest(
                f"question must be 1 to {MAX_QUESTION_CHARS} characters after trimming, got {len(question)}",
                errors=[{"field": "question", "message": f"length must be 1..{MAX_QUESTION_CHARS} after trimming"}],
            )
        triage = "routine"
        self.metrics.triage.labels(level=triage).inc()
        answer, latency_ms = await self._ask_model(question)
        record = QARecord(
            id=uuid.uuid4(),
            conversation_id=request.conversation_id or uuid.uuid4(),
            question=question,
            answer=answer.text,
            triage=triage,
            model=answer.model,
            prompt_version=PROMPT_VERSION,
            finish_reason=answer.finish_reason,
            prompt_tokens=answer.prompt_tokens,
            completion_tokens=answer.completion_tokens,
            latency_ms=latency_ms,
            created_at=datetime.now(UTC),
        )
        async with guarded("insert", self.metrics, self.db_timeout_s):
            await record.save()
        log.info(
            "question.answered",
            record_id=str(record.id),
            model=answer.model,
            finish_reason=answer.finish_reason,
            prompt_tokens=answer.prompt_tokens,
            completion_tokens=answer.completion_tokens,
            llm_latency_ms=latency_ms,
        )
        return _to_schema(record.to_dict())

    async def _ask_model(self, question: str) -> tuple[ModelAnswer, int]:
        """Call the model and record its metrics; return the answer and the model latency in ms."""
        label = self.model.label
        start = time.perf_counter()
        try:
            answer = await self.model.answer(question)
        except ModelError as exc:
            self.metrics.llm_requests.labels(model=label, outcome=exc.outcome).inc()
            log.warning("llm.failed", model=label, outcome=exc.outcome, error=type(exc).__name__)
            raise
        finally:
            elapsed = time.perf_counter() - start
            self.metrics.llm_duration.labels(model=label).observe(elapsed)
        self.metrics.llm_requests.labels(model=label, outcome=OUTCOMES[answer.finish_reason]).inc()
        self.metrics.llm_tokens.labels(model=label, direction="prompt").inc(answer.prompt_tokens)
        self.metrics.llm_tokens.labels(model=label, direction="completion").inc(answer.completion_tokens)
        return answer, round(elapsed * 1000)

    async def get(self, record_id: uuid.UUID) -> AnswerRecord:
        """One stored record, or QuestionNotFound."""
        async with guarded("select", self.metrics, self.db_timeout_s):
            row = await QARecord.select(*COLUMNS).where(QARecord.id == record_id).first()
        if row is None:
            raise QuestionNotFound(f"no question with id {record_id}")
        return _to_schema(row)

    async def list(self, limit: int, before: str | None) -> QuestionPage:
        """A page of records, newest first, after the keyset cursor `before`."""
        query = QARecord.select(*COLUMNS).order_by(QARecord.created_at, QARecord.id, ascending=False).limit(limit)
        if before is not None:
            created_at, last_id = decode_cursor(before)
            query = query.where(
                (QARecord.created_at < created_at) | ((QARecord.created_at == created_at) & (QARecord.id < last_id))
            )
        async with guarded("select", self.metrics, self.db_timeout_s):
            rows = await query
        items = [_to_schema(row) for row in rows]
        next_before = encode_cursor(items[-1].created_at, items[-1].id) if len(items) == limit else None
        return QuestionPage(items=items, next_before=next_before)


def encode_cursor(created_at: datetime, record_id: uuid.UUID) -> str:
    """An opaque keyset cursor for (created_at, id)."""
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{record_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """Parse a cursor from `encode_cursor`, or raise InvalidRequest naming `before`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, record_id = raw.split("|")
        return datetime.fromisoformat(stamp), uuid.UUID(record_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidRequest(
            "before is not a cursor this service issued", errors=[{"field": "before", "message": "invalid cursor"}]
        ) from None


def _to_schema(row: dict[str, Any]) -> AnswerRecord:
    created_at = row["created_at"]
    if isinstance(created_at, str):
        created_at = datetime.fromisoformat(created_at)
    return AnswerRecord(
        id=_uuid(row["id"]),
        conversation_id=_uuid(row["conversation_id"]),
        question=row["question"],
        answer=row["answer"],
        triage=row["triage"],
        disclaimer=DISCLAIMER,
        model=row["model"],
        finish_reason=row["finish_reason"],
        usage=Usage(prompt_tokens=row["prompt_tokens"], completion_tokens=row["completion_tokens"]),
        latency_ms=row["latency_ms"],
        created_at=created_at,
    )


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
