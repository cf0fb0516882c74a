"""The circuit breaker: opens after repeated outages, fails fast while open, one trial call when half-open."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest

from app.errors import ModelError, ModelTimeout, ModelUnavailable
from app.llm.base import ModelAnswer, Turn
from app.llm.breaker import CircuitBreaker, GuardedModel


class ScriptedModel:
    """A model that raises or answers as the test says (the breaker's only collaborator)."""

    label = "scripted"

    def __init__(self) -> None:
        self.error: ModelError | None = None
        self.calls = 0

    async def answer(self, question: str, history: Sequence[Turn] = ()) -> ModelAnswer:
        self.calls += 1
        if self.error:
            raise self.error
        return ModelAnswer("fine", "stop", 1, 1, self.label)

    async def stream(self, question: str, history: Sequence[Turn] = ()) -> AsyncIterator[str | ModelAnswer]:
        self.calls += 1
        if self.error:
            raise self.error
        yield "fine"
        yield ModelAnswer("fine", "stop", 1, 1, self.label)

    async def ping(self) -> bool:
        return True

    async def aclose(self) -> None:
        return None


async def test_opens_after_threshold_and_fails_fast() -> None:
    inner = ScriptedModel()
    model = GuardedModel(inner, CircuitBreaker(threshold=3, cooldown_s=60))
    inner.error = ModelUnavailable("down", retry_after=5)
    for _ in range(3):
        with pytest.raises(ModelUnavailable):
            await model.answer("q")
    assert model.breaker.state() == "open"
    with pytest.raises(ModelUnavailable) as info:
        await model.answer("q")
    assert inner.calls == 3  # the fourth never reached the model
    assert 1 <= (info.value.retry_after or 0) <= 60


async def test_half_open_trial_closes_on_success_and_reopens_on_failure() -> None:
    inner = ScriptedModel()
    breaker = CircuitBreaker(threshold=1, cooldown_s=0.2)
    model = GuardedModel(inner, breaker)
    inner.error = ModelTimeout("slow")
    with pytest.raises(ModelTimeout):
        await model.answer("q")
    await asyncio.sleep(0.25)
    assert breaker.state() == "half-open"
    with pytest.raises(ModelTimeout):
        await model.answer("q")  # the trial call fails: open again
    assert breaker.state() == "open"
    await asyncio.sleep(0.25)
    inner.error = None
    assert (await model.answer("q")).text == "fine"
    assert breaker.state() == "closed" and breaker.failures == 0


async def test_rejections_do_not_trip_it() -> None:
    inner = ScriptedModel()
    model = GuardedModel(inner, CircuitBreaker(threshold=1, cooldown_s=60))
    inner.error = ModelError("bad request")
    with pytest.raises(ModelError):
        await model.answer("q")
    assert model.breaker.state() == "closed"


async def test_stream_goes_through_the_breaker() -> None:
    inner = ScriptedModel()
    model = GuardedModel(inner, CircuitBreaker(threshold=1, cooldown_s=60))
    items = [item async for item in model.stream("q")]
    assert items[0] == "fine"
    inner.error = ModelUnavailable("down")
    with pytest.raises(ModelUnavailable):
        [item async for item in model.stream("q")]
    with pytest.raises(ModelUnavailable):
        [item async for item in model.stream("q")]
    assert inner.calls == 2
    assert model.label == "scripted" and await model.ping()
