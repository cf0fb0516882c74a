"""A circuit breaker around the model: under sustained failure, stop calling Gemini for a cool-down."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

import structlog

from app.errors import ModelError, ModelRateLimited, ModelTimeout, ModelUnavailable
from app.llm.base import AnswerModel, ModelAnswer, Turn

log = structlog.get_logger(__name__)
TRIPPING = (ModelUnavailable, ModelRateLimited, ModelTimeout)


@dataclass
class CircuitBreaker:
    """Closed: calls pass. After `threshold` failures in a row it opens for `cooldown_s`: calls fail at
    once with 503. Then one trial call goes through (half-open): success closes it, failure re-opens it."""

    threshold: int = 5
    cooldown_s: float = 30.0
    failures: int = 0
    opened_at: float | None = None
    trial_running: bool = field(default=False)

    def state(self) -> str:
        """closed, open or half-open."""
        if self.opened_at is None:
            return "closed"
        return "open" if time.monotonic() - self.opened_at < self.cooldown_s else "half-open"

    def before_call(self) -> None:
        """Raise ModelUnavailable while open (or while the half-open trial call is running)."""
        state = self.state()
        if state == "closed":
            return
        if state == "half-open" and not self.trial_running:
            self.trial_running = True
            return
        opened_at = self.opened_at if self.opened_at is not None else time.monotonic()
        wait = max(1, round(self.cooldown_s - (time.monotonic() - opened_at)))
        raise ModelUnavailable("the model is failing; calls are paused for a cool-down", retry_after=wait)

    def record(self, error: ModelError | None) -> None:
        """Count a call's outcome; only overload and outage errors trip the breaker."""
        self.trial_running = False
        if error is None or not isinstance(error, TRIPPING):
            self.failures, self.opened_at = 0, None
            return
        self.failures += 1
        if self.failures >= self.threshold or self.opened_at is not None:
            if self.opened_at is None or self.state() == "half-open":
                log.warning("llm.circuit_open", failures=self.failures, cooldown_s=self.cooldown_s)
            self.opened_at = time.monotonic()


@dataclass
class GuardedModel:
    """An AnswerModel behind a circuit breaker; the same interface, so the service does not know."""

    inner: AnswerModel
    breaker: CircuitBreaker

    @property
    def label(self) -> str:
        """The inner model's label."""
        return self.inner.label

    async def answer(self, question: str, history: Sequence[Turn] = ()) -> ModelAnswer:
        """Answer through the breaker."""
        self.breaker.before_call()
        try:
            answer = await self.inner.answer(question, history)
        except ModelError as exc:
            self.breaker.record(exc)
            raise
        self.breaker.record(None)
        return answer

    async def stream(self, question: str, history: Sequence[Turn] = ()) -> AsyncIterator[str | ModelAnswer]:
        """Stream through the breaker."""
        self.breaker.before_call()
        try:
            async for item in self.inner.stream(question, history):
                yield item
        except ModelError as exc:
            self.breaker.record(exc)
            raise
        self.breaker.record(None)

    def circuit(self) -> str:
        """The breaker's state (for readiness): closed, open or half-open."""
        return self.breaker.state()

    async def ping(self) -> bool:
        """The inner model's client is open."""
        return await self.inner.ping()

    async def aclose(self) -> None:
        """Close the inner model."""
        await self.inner.aclose()
