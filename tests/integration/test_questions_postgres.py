"""The questions service on a real PostgreSQL: migrations, storage, keyset pagination, failures as 503."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from piccolo.engine.postgres import PostgresEngine

from app.access.tables import AuditEvent
from app.db import bind_tables, check_database, make_engine, open_engine
from app.errors import DatabaseUnavailable, InvalidRequest, ModelError, QuestionNotFound
from app.llm.gemini import GeminiModel, GeminiOptions
from app.migrate import migrate
from app.questions.schemas import AnswerRecord, AskRequest
from app.questions.service import QuestionService, insert_record, purge_older_than, to_schema
from app.questions.tables import QARecord
from app.system.metrics import Metrics
from tests.plugins.gemini import FakeGeminiHandle
from tests.plugins.postgres import free_port

pytestmark = pytest.mark.postgres


@pytest.fixture
async def service(engine: PostgresEngine, fake_gemini: FakeGeminiHandle) -> AsyncIterator[QuestionService]:
    model = GeminiModel(GeminiOptions(api_key="k", model="gemini-test", label="gemini-test", base_url=fake_gemini.url))
    yield QuestionService(model, Metrics(), db_timeout_s=2.0)
    await model.aclose()


async def test_migrations_are_idempotent(engine: PostgresEngine) -> None:
    summary = await migrate(engine)
    assert "already complete" in summary or "No migrations" in summary or summary == ""


async def test_ask_stores_the_record_with_its_provenance(service: QuestionService) -> None:
    record = await service.ask(AskRequest(question="  What is hypertension?  "))
    assert record.question == "What is hypertension?"
    row = await QARecord.select().where(QARecord.id == record.id).first()
    assert row is not None
    assert row["answer"] == record.answer and row["model"] == "gemini-test"
    assert row["prompt_version"] and row["finish_reason"] == "stop"
    assert row["prompt_tokens"] == record.usage.prompt_tokens > 0
    assert row["created_at"].tzinfo is not None
    assert (await service.get(record.id, actor="tester")) == record


async def test_conversation_id_is_kept(service: QuestionService) -> None:
    conversation = uuid.uuid4()
    record = await service.ask(AskRequest(question="q1", conversation_id=conversation))
    assert record.conversation_id == conversation


async def test_unknown_id_is_not_found(service: QuestionService) -> None:
    with pytest.raises(QuestionNotFound):
        await service.get(uuid.uuid4(), actor="tester")


async def test_keyset_pagination_walks_newest_first_without_gaps(service: QuestionService) -> None:
    created = [await service.ask(AskRequest(question=f"question {i}")) for i in range(5)]
    seen, before = [], None
    while True:
        page = await service.page(limit=2, before=before, actor="tester")
        seen.extend(item.id for item in page.items)
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == [record.id for record in reversed(created)]


async def test_bad_cursor_is_invalid(service: QuestionService) -> None:
    with pytest.raises(InvalidRequest):
        await service.page(limit=2, before="not-a-cursor", actor="tester")


async def test_model_failure_stores_nothing(service: QuestionService, fake_gemini: FakeGeminiHandle) -> None:
    fake_gemini.set_mode("error:400")
    with pytest.raises(ModelError):
        await service.ask(AskRequest(question="q"))
    assert await QARecord.count() == 0


async def test_unreachable_database_is_a_503_counted_in_metrics(fake_gemini: FakeGeminiHandle) -> None:
    engine = make_engine(f"postgres://medqa:x@127.0.0.1:{free_port()}/medqa")
    bind_tables(engine)
    await open_engine(engine)
    metrics = Metrics()
    model = GeminiModel(GeminiOptions(api_key="k", model="m", label="m", base_url=fake_gemini.url))
    service = QuestionService(model, metrics, db_timeout_s=1.0)
    with pytest.raises(DatabaseUnavailable) as info:
        await service.ask(AskRequest(question="q"))
    assert info.value.retry_after == 5
    assert metrics.registry.get_sample_value("medqa_db_errors_total", {"operation": "insert"}) == 1
    assert (await check_database(engine, 1.0)).startswith("database unreachable")
    await model.aclose()


async def test_readiness_check_passes_on_a_migrated_database(engine: PostgresEngine) -> None:
    assert await check_database(engine, 2.0) == "ok"


async def test_reads_and_erasures_are_audited(service: QuestionService) -> None:
    first = await service.ask(AskRequest(question="q1"))
    conversation = uuid.uuid4()
    await service.ask(AskRequest(question="q2", conversation_id=conversation))
    await service.ask(AskRequest(question="q3", conversation_id=conversation))
    await service.get(first.id, actor="reader-key")
    await service.delete(first.id, actor="admin-key")
    assert await service.delete_conversation(conversation, actor="admin-key") == 2
    assert await QARecord.count() == 0
    events = await AuditEvent.select(AuditEvent.actor, AuditEvent.action, AuditEvent.target, AuditEvent.records)
    assert {(e["actor"], e["action"], e["records"]) for e in events} == {
        ("reader-key", "read", 1),
        ("admin-key", "delete", 1),
        ("admin-key", "delete_conversation", 2),
    }
    with pytest.raises(QuestionNotFound):
        await service.delete(first.id, actor="admin-key")
    with pytest.raises(QuestionNotFound):
        await service.delete_conversation(conversation, actor="admin-key")


async def test_purge_deletes_only_records_past_retention_in_batches(
    service: QuestionService, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime, timedelta

    import app.questions.service as service_module

    monkeypatch.setattr(service_module, "PURGE_BATCH", 3)
    for i in range(7):
        await service.ask(AskRequest(question=f"old {i}"))
    await QARecord.update({QARecord.created_at: datetime.now(UTC) - timedelta(days=40)}, force=True)
    kept = await service.ask(AskRequest(question="recent"))
    assert await purge_older_than(30, service.metrics, service.db_timeout_s) == 7
    assert [row["id"] for row in await QARecord.select(QARecord.id)] == [kept.id]
    event = await AuditEvent.select().where(AuditEvent.action == "purge").first()
    assert event is not None and event["records"] == 7


async def test_emergency_gets_guidance_even_when_the_model_fails(
    service: QuestionService, fake_gemini: FakeGeminiHandle
) -> None:
    fake_gemini.set_mode("error:503")
    record = await service.ask(AskRequest(question="my dad collapsed and is not breathing"))
    assert record.triage == "emergency"
    assert record.answer.startswith("This may be a medical emergency.")
    assert record.finish_reason == "other"
    stored = await QARecord.select(QARecord.answer).where(QARecord.id == record.id).first()
    assert stored is not None and stored["answer"] == record.answer


async def test_personal_data_never_reaches_the_database(service: QuestionService) -> None:
    record = await service.ask(AskRequest(question="My name is Zara Quill, email zq@example.com. Is 20 mg ok?"))
    assert record.redactions == ["EMAIL", "NAME"]
    row = await QARecord.select(QARecord.question).where(QARecord.id == record.id).first()
    assert row is not None and "Zara" not in row["question"] and "zq@example.com" not in row["question"]
    assert "20 mg" in row["question"]


async def test_ask_inserts_through_the_prepared_statement_not_piccolo(
    service: QuestionService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the record goes in by the fixed INSERT on the pool: Piccolo's save() is never built."""

    async def no_save(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("Piccolo's save() was used on the hot path")

    monkeypatch.setattr(QARecord, "save", lambda *_a, **_k: no_save())
    record = await service.ask(AskRequest(question="How do vaccines work?"))
    row = await QARecord.select().where(QARecord.id == record.id).first()
    assert row is not None and row["question"] == "How do vaccines work?"
    assert "+triage:" in row["prompt_version"] and row["finish_reason"] == "stop"
    assert (await service.get(record.id, actor="tester")) == record


async def test_inside_a_transaction_the_insert_belongs_to_it(engine: PostgresEngine) -> None:
    """In an open Piccolo transaction the insert takes Piccolo's path, so a rollback removes it too."""
    record = to_schema(
        {"id": uuid.uuid4(), "conversation_id": uuid.uuid4(), "question": "q", "answer": "a", "triage": "routine",
         "redactions": "", "model": "m", "finish_reason": "stop", "prompt_tokens": 1, "completion_tokens": 2,
         "latency_ms": 3, "created_at": datetime.now(UTC)}
    )  # fmt: skip

    with pytest.raises(_Rollback):
        await _insert_then_roll_back(engine, record)
    assert not await QARecord.exists().where(QARecord.id == record.id)


class _Rollback(Exception):
    """Raised inside the transaction to roll it back."""


async def _insert_then_roll_back(engine: PostgresEngine, record: AnswerRecord) -> None:
    async with engine.transaction():
        await insert_record(record, "v1+triage:1")
        assert await QARecord.exists().where(QARecord.id == record.id)  # visible inside the transaction
        raise _Rollback
