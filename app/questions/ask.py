"""The ask flow: screen the question, ask the model, store the redacted record, hand it back. No HTTP here."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog

from app.db import guarded
from app.errors import InvalidRequest, ModelError
from app.llm.base import AnswerModel, ModelAnswer, Turn
from app.llm.prompts import DISCLAIMER, PROMPT_VERSION
from app.questions.admission import Admission
from app.questions.repository import History
from app.questions.schemas import MAX_QUESTION_CHARS, AnswerRecord, AskRequest, Guidance, Usage
from app.safety.guidance import guidance_for
from app.safety.redaction import Redaction, redact
from app.safety.triage import Triage, triage
from app.system.metrics import Metrics

log = structlog.get_logger(__name__)
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


@dataclass(frozen=True, slots=True, kw_only=True)
class AskFlow:
    """Screening -> model -> store -> respond; raises only MedQAError subclasses. Built with keywords only.

    `model` is expected to be instrumented (app.llm.instrumented): the flow itself writes no model metrics.
    """

    model: AnswerModel
    records: History
    admission: Admission
    metrics: Metrics
    db_timeout_s: float
    locale: str = "intl"
    history_turns: int = 6
    history_chars: int = 8000

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
        with self.admission:
            prepared = await self.prepare(request)
            start = time.perf_counter()
            try:
                answer: ModelAnswer | None = await self.model.answer(prepared.question, prepared.history)
            except ModelError as exc:
                self._model_failed(exc, prepared)
                answer = None
            return await self._store(prepared, answer, round((time.perf_counter() - start) * 1000))

    def stream(self, prepared: Prepared) -> AsyncIterator[str | Guidance | AnswerRecord]:
        """The guidance (if any), the model's text chunks, then the stored record, holding an admission place.

        The record is stored once, after the last chunk: a client that goes away mid-stream cancels
        the generator before that point, so no half record is ever written.
        """
        return self.admission.around(self._stream(prepared))

    async def _stream(self, prepared: Prepared) -> AsyncIterator[str | Guidance | AnswerRecord]:
        if prepared.guidance:
            yield Guidance(prepared.triage.level, prepared.guidance)
        start = time.perf_counter()
        answer: ModelAnswer | None = None
        try:
            async for item in self.model.stream(prepared.question, prepared.history):
                if isinstance(item, ModelAnswer):
                    answer = item
                else:
                    yield item
        except ModelError as exc:
            self._model_failed(exc, prepared)
        yield await self._store(prepared, answer, round((time.perf_counter() - start) * 1000))

    async def _history(self, conversation_id: uuid.UUID | None) -> list[Turn]:
        """The latest turns of a conversation, oldest first, within the turn and character bounds."""
        if conversation_id is None or self.history_turns == 0:
            return []
        async with guarded("select", self.metrics, self.db_timeout_s):
            latest = await self.records.latest_turns(conversation_id, self.history_turns)
        turns, used = [], 0
        for turn in latest:
            used += len(turn.question) + len(turn.answer)
            if used > self.history_chars:
                break
            turns.append(turn)
        return list(reversed(turns))

    def _model_failed(self, exc: ModelError, prepared: Prepared) -> None:
        """Log a model failure (the model wrapper counted it); re-raise it unless fixed guidance answers."""
        guidance_only = prepared.guidance is not None
        log.warning(
            "llm.failed", model=self.model.label, outcome=exc.outcome, error=type(exc).__name__,
            guidance_only=guidance_only,
        )  # fmt: skip
        if not guidance_only:
            raise exc

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
            await self.records.insert(record, f"{PROMPT_VERSION}+triage:{screen.version}")
        log.info(
            "question.answered", record_id=str(record.id), triage=screen.level, triage_rules=list(screen.rules),
            redactions=record.redactions, model=record.model, finish_reason=record.finish_reason,
            prompt_tokens=record.usage.prompt_tokens, completion_tokens=record.usage.completion_tokens,
            llm_latency_ms=latency_ms, history_turns=len(prepared.history),
        )  # fmt: skip
        return record
