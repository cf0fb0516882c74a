"""The interface every answer model implements, and what it returns."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

FinishReason = Literal["stop", "max_tokens", "safety", "other"]


@dataclass(frozen=True, slots=True)
class ModelAnswer:
    """One answer from the model, already mapped to our vocabulary."""

    text: str
    finish_reason: FinishReason
    prompt_tokens: int
    completion_tokens: int
    model: str


@dataclass(frozen=True, slots=True)
class Turn:
    """An earlier question and answer of the same conversation (both already redacted)."""

    question: str
    answer: str


class AnswerModel(Protocol):
    """Something that answers a medical question; Gemini in production, chosen by configuration."""

    @property
    def label(self) -> str:
        """Model name for records and metric labels ("demo" in demo mode)."""
        ...

    async def answer(self, question: str, history: Sequence[Turn] = ()) -> ModelAnswer:
        """Answer one question (after the earlier turns) or raise a ModelError subclass."""
        ...

    def stream(self, question: str, history: Sequence[Turn] = ()) -> AsyncIterator[str | ModelAnswer]:
        """Yield text chunks as they arrive, then the final ModelAnswer; raise a ModelError on failure."""
        ...

    async def ping(self) -> bool:
        """True when the model is configured and its client is open."""
        ...

    async def aclose(self) -> None:
        """Release the HTTP client."""
        ...
