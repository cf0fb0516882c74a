"""Request and response types of the questions API; they are the OpenAPI schema."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

MAX_QUESTION_CHARS = 2000
Triage = Literal["routine", "emergency", "crisis"]
FinishReasonName = Literal["stop", "max_tokens", "safety", "other"]


class AskRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A medical question, optionally part of an earlier conversation."""

    question: Annotated[str, msgspec.Meta(description="The question, 1 to 2,000 characters after trimming.")]
    conversation_id: UUID | None = None


class Usage(msgspec.Struct):
    """Tokens the model counted for this answer."""

    prompt_tokens: int
    completion_tokens: int


class AnswerRecord(msgspec.Struct):
    """A stored question with its answer."""

    id: UUID
    conversation_id: UUID
    question: str
    answer: str
    triage: Triage
    redactions: Annotated[list[str], msgspec.Meta(description="Kinds of personal data removed (never the values).")]
    disclaimer: str
    model: str
    finish_reason: FinishReasonName
    usage: Usage
    latency_ms: int
    created_at: datetime


class Guidance(msgspec.Struct):
    """Fixed emergency or crisis guidance, sent before any model text (the `triage` stream event)."""

    triage: Triage
    guidance: str


class Deleted(msgspec.Struct):
    """How many records an erasure removed."""

    deleted: int


class Conversation(msgspec.Struct):
    """Every turn of a conversation, oldest first."""

    conversation_id: UUID
    turns: list[AnswerRecord]


class QuestionPage(msgspec.Struct):
    """One page of stored records, newest first; pass `next_before` as `before` for the next page."""

    items: list[AnswerRecord]
    next_before: str | None
