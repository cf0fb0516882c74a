"""to_problem: every error type maps to its status, type URN, title, errors[] and headers, in one place."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from litestar import Request
from litestar.exceptions import (
    HTTPException,
    NotFoundException,
    TooManyRequestsException,
    ValidationException,
)

from app import errors
from app.problems import MAX_BODY_BYTES, PROBLEM_JSON, handle_exception, to_problem
from app.questions.streaming import sse_events, stream_problem

OURS = [
    (errors.InvalidRequest, 422, "invalid-request", "Invalid request"),
    (errors.Unauthorized, 401, "unauthorized", "Unauthorized"),
    (errors.Forbidden, 403, "forbidden", "Forbidden"),
    (errors.QuestionNotFound, 404, "not-found", "Question not found"),
    (errors.ModelError, 502, "model-rejected", "The model rejected the request"),
    (errors.ModelRateLimited, 503, "model-rate-limited", "The model is rate limited"),
    (errors.ModelUnavailable, 503, "model-unavailable", "The model is unavailable"),
    (errors.ModelTimeout, 504, "model-timeout", "The model timed out"),
    (errors.Overloaded, 503, "overloaded", "The service is busy"),
    (errors.DatabaseUnavailable, 503, "database-unavailable", "The database is unavailable"),
    (errors.NotReady, 503, "not-ready", "Not ready"),
    (errors.MedQAError, 500, "internal-error", "Internal error"),
]


@pytest.mark.parametrize(("kind", "status", "slug", "title"), OURS, ids=[row[0].__name__ for row in OURS])
def test_our_errors_carry_status_type_and_title(
    kind: type[errors.MedQAError], status: int, slug: str, title: str
) -> None:
    problem, headers = to_problem(kind("what went wrong"), "/ask")
    assert (problem.status, problem.type, problem.title) == (status, f"urn:medqa:problem:{slug}", title)
    assert problem.detail == "what went wrong" and problem.instance == "/ask" and problem.errors == []
    assert "Retry-After" not in headers


def test_every_error_class_is_in_the_table() -> None:
    """A new error type must get a row above."""
    defined = {
        value for value in vars(errors).values() if isinstance(value, type) and issubclass(value, errors.MedQAError)
    }
    assert defined == {row[0] for row in OURS}


def test_retry_after_and_field_errors_are_kept() -> None:
    exc = errors.InvalidRequest("bad", retry_after=7, errors=[{"field": "question", "message": "too long"}])
    problem, headers = to_problem(exc)
    assert headers == {"Retry-After": "7"}
    assert [(e.field, e.message) for e in problem.errors] == [("question", "too long")]


def test_unauthorized_names_the_scheme() -> None:
    _, headers = to_problem(errors.Unauthorized("no key"))
    assert headers == {"WWW-Authenticate": 'Bearer realm="medqa"'}


def test_schema_violations_are_422_with_the_fields_named() -> None:
    exc = ValidationException(extra=[{"message": "Object missing required field `question`", "key": "data"}])
    problem, headers = to_problem(exc, "/ask")
    assert (problem.status, problem.type, problem.title) == (
        422,
        "urn:medqa:problem:invalid-request",
        "Invalid request",
    )
    assert [(e.field, e.message) for e in problem.errors] == [("question", "Object missing required field `question`")]
    assert problem.detail == "question: Object missing required field `question`" and headers == {}


def test_a_schema_violation_without_fields_still_says_what() -> None:
    assert to_problem(ValidationException()).problem.detail == "the request does not match the schema"


@pytest.mark.parametrize(
    ("status", "detail"),
    [
        (400, "the request body is not valid JSON"),
        (413, f"the request body is larger than {MAX_BODY_BYTES // 1024} KiB"),
    ],
)
def test_litestar_errors_get_fixed_details_that_echo_nothing(status: int, detail: str) -> None:
    problem, _ = to_problem(HTTPException(status_code=status, detail="raw parser text <script>"))
    assert (problem.status, problem.detail) == (status, detail)
    assert problem.type == f"urn:medqa:problem:{problem.title.lower().replace(' ', '-')}"


def test_rate_limited_gets_retry_after_from_the_reset() -> None:
    problem, headers = to_problem(TooManyRequestsException(headers={"RateLimit-Reset": "12"}))
    assert (problem.status, problem.type, problem.title) == (
        429,
        "urn:medqa:problem:too-many-requests",
        "Too Many Requests",
    )
    assert headers["Retry-After"] == "12"
    assert to_problem(TooManyRequestsException()).headers["Retry-After"] == "60"


def test_other_litestar_errors_keep_status_and_detail() -> None:
    problem, _ = to_problem(NotFoundException("no route"))
    assert (problem.status, problem.type, problem.title, problem.detail) == (
        404, "urn:medqa:problem:not-found", "Not Found", "no route"
    )  # fmt: skip


def test_bad_encoding_is_a_client_error() -> None:
    problem, _ = to_problem(UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"))
    assert (problem.status, problem.type, problem.detail) == (
        400, "urn:medqa:problem:bad-request", "the request body is not valid UTF-8"
    )  # fmt: skip


def test_a_bug_is_a_plain_500_that_shows_nothing() -> None:
    problem, headers = to_problem(KeyError("secret-ish detail"), "/ask")
    assert (problem.status, problem.type, problem.title) == (500, "urn:medqa:problem:internal-error", "Internal error")
    assert problem.detail == "an unexpected error occurred" and "secret" not in msgspec.json.encode(problem).decode()
    assert headers == {}


def _request(path: str) -> Request[Any, Any, Any]:
    scope: Any = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b"",
                  "headers": [], "root_path": "", "scheme": "http", "server": ("t", 80), "app": None}  # fmt: skip
    return Request(scope)


def test_the_handler_answers_problem_json_with_the_headers() -> None:
    response = handle_exception(_request("/ask"), errors.Overloaded("busy", retry_after=1))
    assert response.status_code == 503 and response.media_type == PROBLEM_JSON
    assert response.headers["Retry-After"] == "1"
    assert response.content.instance == "/ask"


def test_the_stream_error_keeps_errors_and_retry_after() -> None:
    exc = errors.ModelUnavailable("paused", retry_after=9, errors=[{"field": "model", "message": "open"}])
    body = msgspec.to_builtins(stream_problem(exc, "/ask/stream"))
    assert body == {
        "type": "urn:medqa:problem:model-unavailable", "title": "The model is unavailable", "status": 503,
        "detail": "paused", "instance": "/ask/stream", "errors": [{"field": "model", "message": "open"}],
        "retry_after": 9,
    }  # fmt: skip


async def test_the_stream_ends_with_an_error_event() -> None:
    async def items() -> Any:
        yield "chunk"
        raise errors.ModelTimeout("too slow")

    events = [event async for event in sse_events(items(), "/ask/stream")]
    assert [event.event for event in events] == ["token", "error"]
    error = msgspec.json.decode(str(events[-1].data))
    assert error["status"] == 504 and "retry_after" not in error and error["instance"] == "/ask/stream"
