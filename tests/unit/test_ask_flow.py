"""The ask flow with an in-memory store and a fake model: screening, model, store, respond."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from app.errors import DatabaseUnavailable, InvalidRequest, ModelTimeout, ModelUnavailable, Overloaded
from app.llm.instrumented import InstrumentedModel
from app.questions.admission import Admission
from app.questions.ask import AskFlow
from app.questions.schemas import AnswerRecord, AskRequest, Guidance
from app.system.metrics import Metrics
from tests.unit.fakes import FakeModel, MemoryRecords

EMERGENCY = "my dad collapsed and is not breathing"


def build(model: FakeModel | None = None, **options: Any) -> tuple[AskFlow, MemoryRecords, Metrics]:
    records, metrics = options.pop("records", None) or MemoryRecords(), Metrics()
    flow = AskFlow(
        model=InstrumentedModel(inner=model or FakeModel(), metrics=metrics),
        records=records,
        admission=Admission(limit=options.pop("limit", 10)),
        metrics=metrics,
        db_timeout_s=1.0,
        **options,
    )
    return flow, records, metrics


def sample(metrics: Metrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def test_construction_takes_keywords_only() -> None:
    with pytest.raises(TypeError):
        AskFlow(FakeModel(), MemoryRecords(), Admission(limit=1), Metrics(), 1.0)  # type: ignore[misc]


async def test_a_routine_question_is_answered_stored_and_counted() -> None:
    flow, records, metrics = build()
    record = await flow.ask(AskRequest(question="  What is a fever?  "))
    assert (record.question, record.answer, record.triage, record.model) == (
        "What is a fever?",
        "fine",
        "routine",
        "fake-1",
    )
    assert record.usage.prompt_tokens == 3 and record.usage.completion_tokens == 5
    assert [stored for stored, _ in records.records] == [record]
    assert "+triage:" in records.records[0][1]
    assert sample(metrics, "medqa_llm_requests_total", model="fake", outcome="ok") == 1
    assert sample(metrics, "medqa_llm_tokens_total", model="fake", direction="completion") == 5
    assert sample(metrics, "medqa_triage_total", level="routine") == 1
    assert flow.admission.inflight == 0


async def test_personal_data_is_redacted_before_the_model_and_the_store() -> None:
    model = FakeModel()
    flow, records, metrics = build(model)
    record = await flow.ask(AskRequest(question="My name is Zara Quill, email zq@example.com. Is 20 mg ok?"))
    assert "Zara" not in model.asked[0][0] and "zq@example.com" not in records.records[0][0].question
    assert record.redactions == ["EMAIL", "NAME"]
    assert sample(metrics, "medqa_redactions_total", kind="EMAIL") == 1


@pytest.mark.parametrize("question", ["", "   ", "x" * 2001, "nul \x00 here", "lone \ud800"])
async def test_unusable_questions_are_invalid_and_reach_nothing(question: str) -> None:
    model = FakeModel()
    flow, records, _ = build(model)
    with pytest.raises(InvalidRequest) as info:
        await flow.ask(AskRequest(question=question))
    assert info.value.errors[0]["field"] == "question"
    assert model.asked == [] and records.records == []


async def test_a_model_failure_stores_nothing_and_is_counted() -> None:
    flow, records, metrics = build(FakeModel(ModelTimeout("slow")))
    with pytest.raises(ModelTimeout):
        await flow.ask(AskRequest(question="What is a fever?"))
    assert records.records == []
    assert sample(metrics, "medqa_llm_requests_total", model="fake", outcome="timeout") == 1
    assert sample(metrics, "medqa_llm_request_duration_seconds_count", model="fake") == 1


async def test_an_emergency_gets_guidance_even_when_the_model_fails() -> None:
    flow, records, _ = build(FakeModel(ModelUnavailable("down")))
    record = await flow.ask(AskRequest(question=EMERGENCY))
    assert record.triage == "emergency" and record.answer.startswith("This may be a medical emergency.")
    assert (record.finish_reason, record.model) == ("other", "fake")
    assert records.records[0][0] == record


async def test_a_follow_up_sends_the_earlier_turns_oldest_first_within_the_bounds() -> None:
    model = FakeModel()
    flow, _, _ = build(model, history_turns=2, history_chars=100)
    conversation = uuid.uuid4()
    for question in ("first", "second", "third"):
        await flow.ask(AskRequest(question=question, conversation_id=conversation))
    assert [turn.question for turn in model.asked[2][1]] == ["first", "second"]  # two turns at most
    flow_small, _, _ = build(model, history_chars=10, records=flow.records)
    await flow_small.ask(AskRequest(question="fourth", conversation_id=conversation))
    assert [turn.question for turn in model.asked[-1][1]] == ["third"]  # "third"+"fine" fits 10, two do not


async def test_no_conversation_means_no_history_read() -> None:
    flow, records, _ = build()
    records.fail = OSError("would fail if read")
    with pytest.raises(DatabaseUnavailable):  # only the insert touches the store
        await flow.ask(AskRequest(question="What is a fever?"))


async def test_a_failed_insert_is_a_503_counted() -> None:
    flow, records, metrics = build()
    records.fail = ConnectionError("gone")
    with pytest.raises(DatabaseUnavailable) as info:
        await flow.ask(AskRequest(question="What is a fever?"))
    assert info.value.retry_after == 5
    assert sample(metrics, "medqa_db_errors_total", operation="insert") == 1


async def test_past_the_limit_a_question_is_refused_at_once() -> None:
    flow, records, _ = build(limit=1)
    with flow.admission, pytest.raises(Overloaded) as info:
        await flow.ask(AskRequest(question="What is a fever?"))
    assert info.value.retry_after == 1 and records.records == []
    assert flow.admission.inflight == 0


async def _collect(flow: AskFlow, question: str) -> list[str | Guidance | AnswerRecord]:
    return [item async for item in flow.stream(await flow.prepare(AskRequest(question=question)))]


async def test_the_stream_yields_chunks_then_the_stored_record() -> None:
    flow, records, metrics = build()
    items = await _collect(flow, "What is a fever?")
    assert items[:2] == ["fi", "ne"] and isinstance(items[-1], AnswerRecord) and len(items) == 3
    assert records.records[0][0] == items[-1] and items[-1].answer == "fine"
    assert sample(metrics, "medqa_llm_time_to_first_token_seconds_count", model="fake") == 1
    assert flow.admission.inflight == 0


async def test_an_emergency_stream_starts_with_guidance_and_survives_the_model() -> None:
    flow, records, _ = build(FakeModel(ModelUnavailable("down")))
    items = await _collect(flow, EMERGENCY)
    assert isinstance(items[0], Guidance) and items[0].triage == "emergency"
    assert isinstance(items[-1], AnswerRecord) and records.records[0][0] == items[-1]


async def test_a_failing_routine_stream_raises_and_stores_nothing() -> None:
    flow, records, metrics = build(FakeModel(ModelUnavailable("down")))
    with pytest.raises(ModelUnavailable):
        await _collect(flow, "What is a fever?")
    assert records.records == [] and flow.admission.inflight == 0
    assert sample(metrics, "medqa_llm_requests_total", model="fake", outcome="unavailable") == 1


async def test_a_stream_left_early_stores_nothing_and_gives_its_place_back() -> None:
    flow, records, _ = build(limit=1)
    stream = flow.stream(await flow.prepare(AskRequest(question="What is a fever?")))
    assert await anext(stream) == "fi"
    assert flow.admission.inflight == 1
    await stream.aclose()  # type: ignore[attr-defined]
    assert records.records == [] and flow.admission.inflight == 0
