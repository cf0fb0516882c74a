"""Entra login on a real PostgreSQL: the real azure-identity client against the loopback fake token endpoint.

The identity's role has the token the fake issues as its password, as Azure's PostgreSQL checks an Entra
token; a connection that logs in therefore proves which token it sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from app.db import bind_tables, check_database, close_engine, make_engine, open_engine
from app.entra import DatabaseTokenUnavailable, EntraLogin, EntraTokenProvider
from app.errors import DatabaseUnavailable
from app.llm.gemini import GeminiModel, GeminiOptions
from app.migrate import migrate
from app.questions.schemas import AskRequest
from app.questions.service import QuestionService
from app.questions.tables import QARecord
from app.settings import Settings
from app.system.metrics import Metrics
from tests.plugins.entra import EntraHandle, set_role_password
from tests.plugins.gemini import FakeGeminiHandle

pytestmark = pytest.mark.postgres
DATABASE = "medqa_entra"


def gemini(fake_gemini: FakeGeminiHandle) -> GeminiModel:
    """The real Gemini client, asking the fake."""
    return GeminiModel(GeminiOptions(api_key="k", model="gemini-test", label="gemini-test", base_url=fake_gemini.url))


def login(fake_entra: EntraHandle, url: str) -> EntraLogin:
    """The login Settings reads from what the webhook injects (the exact path the service takes)."""
    settings = Settings.from_env({"MEDQA_DATABASE_AUTH": "entra", "MEDQA_DATABASE_URL": url, **fake_entra.env()})
    assert settings.entra is not None and settings.database_url == url
    return settings.entra


def provider(fake_entra: EntraHandle, url: str, **options: float) -> EntraTokenProvider:
    """In this process aiohttp's default context was built before the test CA existed: hand it the CA."""
    return EntraTokenProvider(login(fake_entra, url), connection_verify=str(fake_entra.ca_file), **options)


@pytest.fixture
async def tokens(fake_entra: EntraHandle, postgres_url: str) -> AsyncIterator[tuple[EntraTokenProvider, str]]:
    """A provider for the identity's role, whose password is the first token the fake will issue."""
    fake_entra.fake.next_tokens = ["token-first"]
    url = await set_role_password(postgres_url, "token-first", DATABASE)
    source = provider(fake_entra, url)
    yield source, url
    await source.aclose()


async def test_migrate_and_ask_log_in_with_the_entra_token(
    tokens: tuple[EntraTokenProvider, str], fake_entra: EntraHandle, fake_gemini: FakeGeminiHandle
) -> None:
    source, url = tokens
    engine = make_engine(url, source)
    await open_engine(engine)
    try:
        await migrate(engine)
        bind_tables(engine)
        model = gemini(fake_gemini)
        record = await QuestionService(model, Metrics(), db_timeout_s=5.0).ask(AskRequest(question="What is a fever?"))
        await model.aclose()
        assert await QARecord.exists().where(QARecord.id == record.id)
        assert await check_database(engine, 2.0) == "ok"
    finally:
        await close_engine(engine)
    # One token served the pool, the migrations and the question: azure-identity cached it.
    assert fake_entra.fake.issued == ["token-first"] and fake_entra.fake.rejected == 0


async def test_a_token_near_expiry_is_replaced_before_a_new_connection_logs_in(
    fake_entra: EntraHandle, postgres_url: str
) -> None:
    # Wide margins: azure-identity counts whole seconds, and this machine may be slow.
    fake_entra.fake.expires_in = 10
    fake_entra.fake.next_tokens = ["token-old", "token-new"]
    url = await set_role_password(postgres_url, "token-old", DATABASE)
    source = provider(fake_entra, url, min_lifetime_s=6)
    engine = make_engine(url, source)
    try:
        await (await engine.get_new_connection()).close()
        # Entra would now accept only the next token; the cached one still has more than 6 s left.
        await set_role_password(postgres_url, "token-new")
        with pytest.raises(asyncpg.InvalidPasswordError):
            await engine.get_new_connection()
        await asyncio.sleep(4.5)  # now under 6 s left: the provider must fetch a fresh token
        await (await engine.get_new_connection()).close()
    finally:
        await source.aclose()
    assert fake_entra.fake.issued == ["token-old", "token-new"]


async def test_expired_token_is_refreshed_by_azure_identity(fake_entra: EntraHandle, postgres_url: str) -> None:
    fake_entra.fake.expires_in = 3  # whole seconds, so the token may have only 2 s when it arrives
    fake_entra.fake.next_tokens = ["token-short", "token-next"]
    url = await set_role_password(postgres_url, "token-short", DATABASE)
    source = provider(fake_entra, url, min_lifetime_s=0)
    engine = make_engine(url, source)
    try:
        await (await engine.get_new_connection()).close()
        await set_role_password(postgres_url, "token-next")
        await asyncio.sleep(3.2)
        await (await engine.get_new_connection()).close()
    finally:
        await source.aclose()
    assert fake_entra.fake.issued == ["token-short", "token-next"]


async def test_token_endpoint_down_is_database_unavailable(
    tokens: tuple[EntraTokenProvider, str], fake_entra: EntraHandle, fake_gemini: FakeGeminiHandle
) -> None:
    source, url = tokens
    fake_entra.stop()
    with pytest.raises(DatabaseTokenUnavailable, match=r"no Entra token for the database \(ServiceRequestError\)"):
        await source()
    engine = make_engine(url, source)
    await open_engine(engine)  # tolerated: readiness reports it
    bind_tables(engine)
    assert await check_database(engine, 2.0) == "database unreachable (DatabaseTokenUnavailable)"
    model = gemini(fake_gemini)
    metrics = Metrics()
    with pytest.raises(DatabaseUnavailable):
        await QuestionService(model, metrics, db_timeout_s=2.0).ask(AskRequest(question="What is a fever?"))
    await model.aclose()
    assert metrics.registry.get_sample_value("medqa_db_errors_total", {"operation": "insert"}) == 1


async def test_a_refused_federated_token_is_database_unavailable(
    tokens: tuple[EntraTokenProvider, str], fake_entra: EntraHandle
) -> None:
    source, _ = tokens
    fake_entra.token_file.write_text("a-token-for-another-service-account")
    with pytest.raises(DatabaseTokenUnavailable, match="ClientAuthenticationError"):
        await source()
    assert fake_entra.fake.rejected == 1 and fake_entra.fake.issued == []


async def test_a_burst_of_new_connections_costs_one_token_request(fake_entra: EntraHandle) -> None:
    source = provider(fake_entra, "postgres://id-medqa-test-weu@127.0.0.1:5432/medqa")
    try:
        tokens = await asyncio.gather(*(source() for _ in range(20)))
    finally:
        await source.aclose()
    assert set(tokens) == {"entra-token-1"} and fake_entra.fake.issued == ["entra-token-1"]
