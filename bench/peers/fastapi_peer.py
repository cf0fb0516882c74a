"""What teams write instead: FastAPI, pydantic models, SQLAlchemy 2 async (asyncpg), google-genai's async client.

Started by the benchmark as `uvicorn bench.peers.fastapi_peer:app` (one process, uvloop and httptools as
uvicorn picks them). Same contract as POST /ask: screen the length, ask the model, store question and
answer in PostgreSQL (its own table, same server), return JSON.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, FastAPI
from google import genai
from google.genai import types
from pydantic import BaseModel, Field
from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SYSTEM_PROMPT = "You answer general medical questions briefly. You are not a doctor."
MODEL = "gemini-3.8-flash"

engine = create_async_engine(
    os.environ["MEDQA_DATABASE_URL"].replace("postgres://", "postgresql+asyncpg://", 1), pool_size=10
)
sessions = async_sessionmaker(engine, expire_on_commit=False)
client = genai.Client(
    api_key=os.environ["GEMINI_API_KEY"],
    http_options=types.HttpOptions(base_url=os.environ["MEDQA_GEMINI_BASE_URL"], api_version="v1beta", timeout=60_000),
)
config = types.GenerateContentConfig(system_instruction=SYSTEM_PROMPT, temperature=0.2, max_output_tokens=1024)


class Base(DeclarativeBase):
    """Declarative base of the peer's tables."""


class Record(Base):
    """One stored question and answer."""

    __tablename__ = "peer_fastapi_record"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    model: Mapped[str] = mapped_column(String(100))
    prompt_tokens: Mapped[int] = mapped_column(Integer)
    completion_tokens: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AskIn(BaseModel):
    """The question."""

    question: Annotated[str, Field(min_length=1, max_length=2000)]


class AnswerOut(BaseModel):
    """The stored record."""

    id: uuid.UUID
    question: str
    answer: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    created_at: datetime


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    """Create the table once, dispose of the pool on shutdown."""
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


async def get_session() -> AsyncIterator[AsyncSession]:
    """One session per request."""
    async with sessions() as session:
        yield session


app = FastAPI(lifespan=lifespan)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness, for the benchmark's start-up wait."""
    return {"status": "ok"}


@app.post("/ask", response_model=AnswerOut)
async def ask(body: AskIn, session: Annotated[AsyncSession, Depends(get_session)]) -> Record:
    """Answer one question and store it."""
    response = await client.aio.models.generate_content(model=MODEL, contents=body.question.strip(), config=config)
    usage = response.usage_metadata
    record = Record(
        question=body.question.strip(),
        answer=(response.text or "").strip(),
        model=MODEL,
        prompt_tokens=(usage.prompt_token_count or 0) if usage else 0,
        completion_tokens=(usage.candidates_token_count or 0) if usage else 0,
        created_at=datetime.now(UTC),
    )
    session.add(record)
    await session.commit()
    return record
