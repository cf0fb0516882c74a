"""HTTP routes of the questions domain: thin handlers that call the ask flow and the record service."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, Parameter
from litestar.response import ServerSentEvent

from app.access.auth import principal_of, requires
from app.problems import MAX_BODY_BYTES, Problem
from app.questions.ask import AskFlow
from app.questions.schemas import AnswerRecord, AskRequest, Conversation, Deleted, QuestionPage
from app.questions.service import RecordService
from app.questions.streaming import sse_events

AnyRequest = Request[Any, Any, Any]


def _problems(*codes: int) -> dict[int, ResponseSpec]:
    return {
        code: ResponseSpec(data_container=Problem, media_type="application/problem+json", description="Problem")
        for code in codes
    }


def _actor(request: AnyRequest) -> str:
    principal = principal_of(request)
    return principal.name if principal else "anonymous"


class AskController(Controller):
    """Ask a medical question (open, or behind an `ask` key when MEDQA_ASK_REQUIRES_KEY=true: asgi.py guards it)."""

    tags = ["ask"]  # noqa: RUF012 (Litestar declares it as an instance attribute)

    @post(
        "/ask",
        status_code=200,
        summary="Ask a medical question",
        description="Triages and redacts the question, asks the model, stores the redacted record, returns it. "
        "Emergency and crisis questions always get fixed guidance first, even when the model fails.",
        responses=_problems(400, 401, 403, 413, 422, 429, 502, 503, 504),
        request_max_body_size=MAX_BODY_BYTES,
    )
    async def ask(self, data: JSONBody[AskRequest], ask_flow: NamedDependency[AskFlow]) -> AnswerRecord:
        """Answer one question."""
        return await ask_flow.ask(data)

    @post(
        "/ask/stream",
        status_code=200,
        summary="Ask a medical question, answer streamed as Server-Sent Events",
        description="Same request as /ask. Events: `triage` (fixed guidance, first, for emergency and crisis "
        "questions only), `token` (text chunks as Gemini streams them), then `done` (the stored record, as /ask "
        "returns it) or `error` (problem+json). The record is stored once, when the stream completes.",
        responses=_problems(400, 401, 403, 413, 422, 429, 503),
        request_max_body_size=MAX_BODY_BYTES,
        media_type="text/event-stream",
        response_description="Server-Sent Events: triage, token..., then done or error",
    )
    async def ask_stream(
        self, request: AnyRequest, data: JSONBody[AskRequest], ask_flow: NamedDependency[AskFlow]
    ) -> ServerSentEvent:
        """Stream one answer."""
        prepared = await ask_flow.prepare(data)  # validation errors answer before the stream starts
        return ServerSentEvent(sse_events(ask_flow.stream(prepared), request.url.path))


class RecordsController(Controller):
    """Stored questions and answers: reading needs a `read` key, erasing an `admin` key; both are audited."""

    tags = ["questions"]  # noqa: RUF012 (Litestar declares it as an instance attribute)

    @get("/questions/{question_id:uuid}", guards=[requires("read")], summary="Get one stored record",
         responses=_problems(401, 403, 404, 503))  # fmt: skip
    async def get_question(
        self, request: AnyRequest, question_id: FromPath[UUID], records: NamedDependency[RecordService]
    ) -> AnswerRecord:
        """One stored record by id."""
        return await records.get(question_id, _actor(request))

    @get("/questions", guards=[requires("read")], summary="List stored records, newest first",
         responses=_problems(401, 403, 422, 503))  # fmt: skip
    async def list_questions(
        self,
        request: AnyRequest,
        records: NamedDependency[RecordService],
        limit: Annotated[int, Parameter(ge=1, le=100, description="Page size.")] = 20,
        before: Annotated[str | None, Parameter(description="Cursor from a previous page's next_before.")] = None,
    ) -> QuestionPage:
        """A page of records (keyset pagination)."""
        return await records.page(limit, before, _actor(request))

    @get("/conversations/{conversation_id:uuid}", guards=[requires("read")], summary="Get a conversation",
         responses=_problems(401, 403, 404, 503))  # fmt: skip
    async def get_conversation(
        self, request: AnyRequest, conversation_id: FromPath[UUID], records: NamedDependency[RecordService]
    ) -> Conversation:
        """Every turn of a conversation, oldest first."""
        turns = await records.conversation(conversation_id, _actor(request))
        return Conversation(conversation_id=conversation_id, turns=turns)

    @delete("/questions/{question_id:uuid}", guards=[requires("admin")], summary="Erase one record",
            responses=_problems(401, 403, 404, 503))  # fmt: skip
    async def delete_question(
        self, request: AnyRequest, question_id: FromPath[UUID], records: NamedDependency[RecordService]
    ) -> None:
        """Erase a record on request (right to erasure)."""
        await records.delete(question_id, _actor(request))

    @delete("/conversations/{conversation_id:uuid}", guards=[requires("admin")], status_code=200,
            summary="Erase a whole conversation", responses=_problems(401, 403, 404, 503))  # fmt: skip
    async def delete_conversation(
        self, request: AnyRequest, conversation_id: FromPath[UUID], records: NamedDependency[RecordService]
    ) -> Deleted:
        """Erase every record of a conversation."""
        return Deleted(deleted=await records.delete_conversation(conversation_id, _actor(request)))
