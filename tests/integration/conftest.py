"""The migrated PostgreSQL engine every integration test starts from, with empty tables."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from piccolo.engine.postgres import PostgresEngine

from app.access.tables import ApiKey, AuditEvent
from app.db import bind_tables, close_engine, make_engine, open_engine
from app.migrate import migrate
from app.questions.tables import QARecord
from tests.plugins.entra import fake_entra  # noqa: F401 (a fixture, used by the Entra login tests)


@pytest.fixture
async def engine(postgres_url: str) -> AsyncIterator[PostgresEngine]:
    """Open, migrate and bind a PostgreSQL engine; every table starts empty."""
    engine = make_engine(postgres_url)
    assert isinstance(engine, PostgresEngine)
    await open_engine(engine)
    await migrate(engine)
    bind_tables(engine)
    for table in (QARecord, ApiKey, AuditEvent):
        await table.delete(force=True)
    yield engine
    await close_engine(engine)
