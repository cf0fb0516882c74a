"""Admission control and the instrumented model, each on its own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.errors import ModelRateLimited, Overloaded
from app.llm.instrumented import InstrumentedModel
from app.questions.admission import Admission
from app.system.metrics import Metrics
from tests.unit.fakes import FakeModel


def test_places_are_taken_and_given_back_even_on_error() -> None:
    admission = Admission(limit=2)
    with admission:
        with admission:
            assert admission.inflight == 2
            with pytest.raises(Overloaded, match="2 questions"), admission:
                pass
        with pytest.raises(ValueError, match="boom"), admission:
            raise ValueError("boom")
    assert admission.inflight == 0


async def test_around_holds_a_place_for_the_whole_stream() -> None:
    admission = Admission(limit=1)

    async def items() -> AsyncIterator[int]:
        yield 1
        yield 2

    seen = []
    async for item in admission.around(items()):
        seen.append((item, admission.inflight))
    assert seen == [(1, 1), (2, 1)] and admission.inflight == 0


async def test_the_model_wrapper_counts_outcomes_tokens_and_time() -> None:
    metrics = Metrics()
    model = InstrumentedModel(inner=FakeModel(), metrics=metrics)
    assert model.label == "fake" and await model.ping()
    await model.answer("q")
    assert metrics.registry.get_sample_value("medqa_llm_tokens_total", {"model": "fake", "direction": "prompt"}) == 3
    model.inner = FakeModel(ModelRateLimited("slow down"))  # type: ignore[misc]
    with pytest.raises(ModelRateLimited):
        await model.answer("q")
    get = metrics.registry.get_sample_value
    assert get("medqa_llm_requests_total", {"model": "fake", "outcome": "rate_limited"}) == 1
    assert get("medqa_llm_request_duration_seconds_count", {"model": "fake"}) == 2
    await model.aclose()
