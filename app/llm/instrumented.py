"""An AnswerModel that records the model metrics (requests by outcome, tokens, duration, time to first token)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence

from app.errors import ModelError
from app.llm.base import AnswerModel, ModelAnswer, Turn
from app.system.metrics import Metrics

OUTCOMES = {"stop": "ok", "max_tokens": "max_tokens", "safety": "safety_blocked", "other": "ok"}


class InstrumentedModel:
    """Wraps an AnswerModel; the only code that writes the medqa_llm_* metrics. Same interface, errors pass through."""

    __slots__ = ("inner", "metrics")

    def __init__(self, *, inner: AnswerModel, metrics: Metrics) -> None:
        self.inner = inner
        self.metrics = metrics

    @property
    def label(self) -> str:
        """The inner model's label."""
        return self.inner.label

    async def answer(self, question: str, history: Sequence[Turn] = ()) -> ModelAnswer:
        """Answer, timed and counted by outcome."""
        start = time.perf_counter()
        try:
            answer = await self.inner.answer(question, history)
        except ModelError as exc:
            self._failed(exc)
            raise
        finally:
            self.metrics.llm_duration.labels(model=self.inner.label).observe(time.perf_counter() - start)
        self._answered(answer)
        return answer

    async def stream(self, question: str, history: Sequence[Turn] = ()) -> AsyncIterator[str | ModelAnswer]:
        """Stream, timed (to the first chunk and to the end) and counted by outcome."""
        label, start, first = self.inner.label, time.perf_counter(), True
        try:
            async for item in self.inner.stream(question, history):
                if isinstance(item, ModelAnswer):
                    self._answered(item)
                elif first:
                    self.metrics.llm_ttft.labels(model=label).observe(time.perf_counter() - start)
                    first = False
                yield item
        except ModelError as exc:
            self._failed(exc)
            raise
        finally:
            self.metrics.llm_duration.labels(model=label).observe(time.perf_counter() - start)

    def _failed(self, exc: ModelError) -> None:
        self.metrics.llm_requests.labels(model=self.inner.label, outcome=exc.outcome).inc()

    def _answered(self, answer: ModelAnswer) -> None:
        label, metrics = self.inner.label, self.metrics
        metrics.llm_requests.labels(model=label, outcome=OUTCOMES[answer.finish_reason]).inc()
        metrics.llm_tokens.labels(model=label, direction="prompt").inc(answer.prompt_tokens)
        metrics.llm_tokens.labels(model=label, direction="completion").inc(answer.completion_tokens)

    async def ping(self) -> bool:
        """The inner model's client is open."""
        return await self.inner.ping()

    async def aclose(self) -> None:
        """Close the inner model."""
        await self.inner.aclose()
