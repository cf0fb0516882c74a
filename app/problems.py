"""The one mapping from exceptions to RFC 9457 problem+json responses."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from app.errors import MedQAError, problem_type

log = structlog.get_logger(__name__)
PROBLEM_JSON = "application/problem+json"
_NAMED_FIELD = re.compile(r"field `([^`]+)`")


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


def _response(request: Request[Any, Any, Any], problem: Problem, retry_after: int | None = None) -> Response[Problem]:
    problem.instance = request.url.path
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return Response(problem, status_code=problem.status, media_type=PROBLEM_JSON, headers=headers)


def handle_medqa_error(request: Request[Any, Any, Any], exc: MedQAError) -> Response[Problem]:
    """Our own errors carry their status, title and type."""
    errors = [FieldError(**error) for error in exc.errors]
    problem = Problem(type=problem_type(exc.slug), title=exc.title, status=exc.status, detail=exc.detail, errors=errors)
    return _response(request, problem, exc.retry_after)


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    """Litestar's own errors: schema violations become 422 with the fields named, the rest keep their status."""
    if isinstance(exc, ValidationException):
        errors = [
            _field_error(item) for item in (exc.extra if isinstance(exc.extra, list) else []) if isinstance(item, dict)
        ]
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors) or "the request does not match the schema"
        problem = Problem(
            type=problem_type("invalid-request"), title="Invalid request", status=422, detail=detail, errors=errors
        )
        return _response(request, problem)
    headers = dict(exc.headers or {})
    if exc.status_code == 429:
        headers.setdefault("Retry-After", headers.get("RateLimit-Reset", "60"))
    status = HTTPStatus(exc.status_code)
    fixed = {
        400: "the request body is not valid JSON",
        413: "the request body is larger than 16 KiB",
        429: "too many questions from this client; retry after the Retry-After delay",
    }
    detail = fixed.get(exc.status_code, str(exc.detail) or status.phrase)
    slug = status.phrase.lower().replace(" ", "-")
    problem = Problem(type=problem_type(slug), title=status.phrase, status=exc.status_code, detail=detail)
    response = _response(request, problem)
    response.headers.update(headers)
    return response


def _field_error(item: dict[str, object]) -> FieldError:
    """Name the field: msgspec reports missing and unknown fields on the whole body ("data")."""
    message = str(item.get("message", "invalid"))
    key = str(item.get("key", "body"))
    named = _NAMED_FIELD.search(message)
    if key in ("data", "body") and named:
        key = named.group(1)
    return FieldError(field=key, message=message)


def handle_bad_encoding(request: Request[Any, Any, Any], exc: UnicodeDecodeError) -> Response[Problem]:
    """A body that is not UTF-8 (the JSON decoder lets UnicodeDecodeError through): a client error."""
    problem = Problem(
        type=problem_type("bad-request"), title="Bad Request", status=400, detail="the request body is not valid UTF-8"
    )
    return _response(request, problem)


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    """A bug: log its type and traceback (no user content), answer a plain 500 without details."""
    log.error("unhandled_exception", error=type(exc).__name__, exc_info=exc)
    problem = Problem(
        type=problem_type("internal-error"), title="Internal error", status=500, detail="an unexpected error occurred"
    )
    return _response(request, problem)
