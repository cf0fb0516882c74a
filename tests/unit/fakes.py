"""Fakes at the edges for unit tests: a scripted model and an in-memory record store."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence

from app.errors import ModelError
from app.llm.base import ModelAnswer, Turn
from app.questions.schemas import AnswerRecord


class FakeModel:
    """Answers "fine" (streamed in two chunks), or raises `error`; remembers what it was asked."""

    label = "fake"

    def __init__(self, error: ModelError | None = None) -> None:
        self.error = error
        self.asked: list[tuple[str, list[Turn]]] = []

    async def answer(self, question: str, history: Sequence[Turn] = ()) -> ModelAnswer:
        self.asked.append((question, list(history)))
        if self.error:
            raise self.error
        return ModelAnswer("fine", "stop", 3, 5, "fake-1")

    async def stream(self, question: str, history: Sequence[Turn] = ()) -> AsyncIterator[str | ModelAnswer]:
        self.asked.append((question, list(history)))
        yield "fi"
        if self.error:
            raise self.error
        yield "ne"
        yield ModelAnswer("fine", "stop", 3, 5, "fake-1")

    async def ping(self) -> bool:
        return True

    async def aclose(self) -> None:
        return None


class MemoryRecords:
    """The ask flow's storage in a list; `fail` makes every call raise it (a database error)."""

    def __init__(self) -> None:
        self.records: list[tuple[AnswerRecord, str]] = []
        self.fail: Exception | None = None

    async def latest_turns(self, conversation_id: uuid.UUID, limit: int) -> list[Turn]:
        if self.fail:
            raise self.fail
        turns = [Turn(r.question, r.answer) for r, _ in self.records if r.conversation_id == conversation_id]
        return list(reversed(turns))[:limit]

    async def insert(self, record: AnswerRecord, prompt_version: str) -> None:
        if self.fail:
            raise self.fail
        self.records.append((record, prompt_version))
