"""The interface every answer model implements, and what it returns."""

from __future__ import annotations

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


class AnswerModel(Protocol):
    """Something that answers a medical question; Gemini in production, chosen by configuration."""

    label: str
    """Model name for records and metric labels ("demo" in demo mode)."""

    async def answer(self, question: str) -> ModelAnswer:
        """Answer one question or raise a ModelError subclass."""
        ...

    async def ping(self) -> bool:
        """True when the model is configured and its client is open."""
        ...

    async def aclose(self) -> None:
        """Release the HTTP client."""
        ...
