"""Turns the service's stream of text chunks and the final record into Server-Sent Events."""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec
from litestar.response import ServerSentEventMessage

from app.errors import MedQAError, problem_type
from app.problems import Problem
from app.questions.schemas import AnswerRecord, Guidance


async def sse_events(
    items: AsyncIterator[str | Guidance | AnswerRecord], path: str
) -> AsyncIterator[ServerSentEventMessage]:
    """`triage` with fixed guidance (emergency and crisis only), `token` per chunk, then `done` or `error`."""
    try:
        async for item in items:
            if isinstance(item, AnswerRecord):
                yield ServerSentEventMessage(event="done", data=msgspec.json.encode(item).decode())
            elif isinstance(item, Guidance):
                yield ServerSentEventMessage(event="triage", data=msgspec.json.encode(item).decode())
            else:
                yield ServerSentEventMessage(event="token", data=msgspec.json.encode({"text": item}).decode())
    except MedQAError as exc:
        problem = Problem(type=problem_type(exc.slug), title=exc.title, status=exc.status, detail=exc.detail)
        problem.instance = path
        yield ServerSentEventMessage(event="error", data=msgspec.json.encode(problem).decode())
