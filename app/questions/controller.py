"""HTTP routes of the questions domain: thin handlers that call QuestionService."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter

from app.problems import Problem
from app.questions.schemas import AnswerRecord, AskRequest, QuestionPage
from app.questions.service import QuestionService


def _problems(*codes: int) -> dict[int, ResponseSpec]:
    return {
        code: ResponseSpec(data_container=Problem, media_type="application/problem+json", description="Problem")
        for code in codes
    }


class AskController(Controller):
    """Ask a medical question."""

    tags = ["ask"]  # noqa: RUF012 (Litestar declares it as an instance attribute)

    @post(
        "/ask",
        status_code=200,
        summary="Ask a medical question",
        description="Screens the question, asks the model, stores question and answer, returns the record.",
        responses=_problems(400, 413, 422, 502, 503, 504),
        request_max_body_size=16 * 1024,
    )
    async def ask(self, data: AskRequest, questions: QuestionService) -> AnswerRecord:
        """Answer one question."""
        return await questions.ask(data)


class RecordsController(Controller):
    """Read stored questions and answers (the safety issue puts these behind a `read` API key)."""

    path = "/questions"
    tags = ["questions"]  # noqa: RUF012 (Litestar declares it as an instance attribute)

    @get("/{question_id:uuid}", summary="Get one stored record", responses=_problems(404, 503))
    async def get_question(self, question_id: UUID, questions: QuestionService) -> AnswerRecord:
        """One stored record by id."""
        return await questions.get(question_id)

    @get("/", summary="List stored records, newest first", responses=_problems(422, 503))
    async def list_questions(
        self,
        questions: QuestionService,
        limit: Annotated[int, Parameter(ge=1, le=100, description="Page size.")] = 20,
        before: Annotated[str | None, Parameter(description="Cursor from a previous page's next_before.")] = None,
    ) -> QuestionPage:
        """A page of records (keyset pagination)."""
        return await questions.list(limit, before)
