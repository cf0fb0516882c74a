"""The one mapping from exceptions to RFC 9457 problem+json: `to_problem`, and the handler that answers with it."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any, NamedTuple

import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from app.errors import MedQAError, problem_type

log = structlog.get_logger(__name__)
PROBLEM_JSON = "application/problem+json"
MAX_BODY_BYTES = 16 * 1024
"""The largest request body the API reads (every route; Litestar answers 413 past it)."""
_NAMED_FIELD = re.compile(r"field `([^`]+)`")
_FIXED_DETAILS = {
    400: "the request body is not valid JSON",
    413: f"the request body is larger than {MAX_BODY_BYTES // 1024} KiB",
    429: "too many questions from this client; retry after the Retry-After delay",
}
# Errors we expect; anything else is a bug and is logged with its traceback.
_EXPECTED = (MedQAError, HTTPException, UnicodeDecodeError)


class FieldError(msgspec.Struct):
    """One invalid field of the request."""

    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem details object."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] = []


class Mapped(NamedTuple):
    """A problem and the headers that go with it (Retry-After, WWW-Authenticate)."""

    problem: Problem
    headers: dict[str, str]


def to_problem(exc: BaseException, instance: str | None = None) -> Mapped:
    """The problem an exception answers with: ours carry their meaning, Litestar's keep their status, the rest 500."""
    if isinstance(exc, MedQAError):
        return _ours(exc, instance)
    if isinstance(exc, ValidationException):
        return Mapped(_invalid(exc, instance), {})
    if isinstance(exc, HTTPException):
        return _http(exc, instance)
    if isinstance(exc, UnicodeDecodeError):  # the JSON decoder lets it through: a client error
        detail = "the request body is not valid UTF-8"
        return Mapped(Problem(problem_type("bad-request"), "Bad Request", 400, detail, instance), {})
    detail = "an unexpected error occurred"
    return Mapped(Problem(problem_type("internal-error"), "Internal error", 500, detail, instance), {})


def _ours(exc: MedQAError, instance: str | None) -> Mapped:
    errors = [FieldError(**error) for error in exc.errors]
    problem = Problem(problem_type(exc.slug), exc.title, exc.status, exc.detail, instance, errors)
    headers = dict(exc.headers)
    if exc.retry_after is not None:
        headers["Retry-After"] = str(exc.retry_after)
    return Mapped(problem, headers)


def _invalid(exc: ValidationException, instance: str | None) -> Problem:
    """Schema violations: 422 with every field named."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = [_field_error(item) for item in extra if isinstance(item, dict)]
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors) or "the request does not match the schema"
    return Problem(problem_type("invalid-request"), "Invalid request", 422, detail, instance, errors)


def _http(exc: HTTPException, instance: str | None) -> Mapped:
    """Litestar's own errors keep their status; a few get a fixed detail that echoes nothing."""
    headers = dict(exc.headers or {})
    if exc.status_code == 429:
        headers.setdefault("Retry-After", headers.get("RateLimit-Reset", "60"))
    status = HTTPStatus(exc.status_code)
    detail = _FIXED_DETAILS.get(exc.status_code, str(exc.detail) or status.phrase)
    slug = status.phrase.lower().replace(" ", "-")
    return Mapped(Problem(problem_type(slug), status.phrase, exc.status_code, detail, instance), headers)


def _field_error(item: dict[str, object]) -> FieldError:
    """Name the field: msgspec reports missing and unknown fields on the whole body ("data")."""
    message = str(item.get("message", "invalid"))
    key = str(item.get("key", "body"))
    named = _NAMED_FIELD.search(message)
    if key in ("data", "body") and named:
        key = named.group(1)
    return FieldError(field=key, message=message)


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    """The app's one exception handler: answer `to_problem(exc)`; a bug is logged by type and traceback only."""
    if not isinstance(exc, _EXPECTED):
        log.error("unhandled_exception", error=type(exc).__name__, exc_info=exc)
    problem, headers = to_problem(exc, request.url.path)
    return Response(problem, status_code=problem.status, media_type=PROBLEM_JSON, headers=headers or None)
