"""Turns the service's stream of text chunks and the final record into Server-Sent Events."""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec
from litestar.response import ServerSentEventMessage

from app.errors import MedQAError
from app.problems import Problem, to_problem
from app.questions.schemas import AnswerRecord, Guidance


class StreamProblem(Problem, omit_defaults=True):
    """The `error` event: the problem /ask would answer, with Retry-After as a member (headers are long gone)."""

    retry_after: int | None = None


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
        yield ServerSentEventMessage(event="error", data=msgspec.json.encode(stream_problem(exc, path)).decode())


def stream_problem(exc: MedQAError, path: str) -> StreamProblem:
    """The `error` event's body for `exc`: `to_problem`'s, errors[] kept, Retry-After as `retry_after`."""
    problem, headers = to_problem(exc, path)
    retry_after = headers.get("Retry-After")
    fields = msgspec.structs.asdict(problem)
    return StreamProblem(**fields, retry_after=int(retry_after) if retry_after is not None else None)
