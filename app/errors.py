"""One exception tree for the service; `problems.to_problem` maps it once to RFC 9457 problem+json."""

from __future__ import annotations

from typing import ClassVar


class MedQAError(Exception):
    """Base of every error the service raises on purpose; carries its HTTP meaning."""

    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"
    slug: ClassVar[str] = "internal-error"
    headers: ClassVar[dict[str, str]] = {}
    """Response headers every instance carries (e.g. WWW-Authenticate on 401)."""

    def __init__(self, detail: str, *, retry_after: int | None = None, errors: list[dict[str, str]] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after
        self.errors = errors or []


class InvalidRequest(MedQAError):
    """The request is well-formed JSON but breaks the API's rules."""

    status = 422
    title = "Invalid request"
    slug = "invalid-request"


class Unauthorized(MedQAError):
    """No API key, or one that is malformed, unknown or revoked, where one is needed."""

    status = 401
    title = "Unauthorized"
    slug = "unauthorized"
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer realm="medqa"'}


class Forbidden(MedQAError):
    """The caller is known but may not do this (a key without the scope, a request not from our Front Door)."""

    status = 403
    title = "Forbidden"
    slug = "forbidden"


class QuestionNotFound(MedQAError):
    """No stored record has the requested id."""

    status = 404
    title = "Question not found"
    slug = "not-found"


class ModelError(MedQAError):
    """Base of errors that come from the language model."""

    status = 502
    title = "The model rejected the request"
    slug = "model-rejected"
    outcome: ClassVar[str] = "error"


class ModelRateLimited(ModelError):
    """Gemini answered 429 / RESOURCE_EXHAUSTED after our bounded retries."""

    status = 503
    title = "The model is rate limited"
    slug = "model-rate-limited"
    outcome = "rate_limited"


class ModelUnavailable(ModelError):
    """Gemini failed (5xx or transport) after our bounded retries."""

    status = 503
    title = "The model is unavailable"
    slug = "model-unavailable"
    outcome = "unavailable"


class ModelTimeout(ModelError):
    """Gemini did not answer within the time budget."""

    status = 504
    title = "The model timed out"
    slug = "model-timeout"
    outcome = "timeout"


class Overloaded(MedQAError):
    """Too many questions are already being answered; refuse at once rather than queue without bound."""

    status = 503
    title = "The service is busy"
    slug = "overloaded"


class DatabaseUnavailable(MedQAError):
    """The database could not be reached or did not answer in time."""

    status = 503
    title = "The database is unavailable"
    slug = "database-unavailable"


class NotReady(MedQAError):
    """A readiness check failed (the database or the model client)."""

    status = 503
    title = "Not ready"
    slug = "not-ready"


def problem_type(slug: str) -> str:
    """The problem `type` URI for a slug (a URN: stable, and not a page we would have to host)."""
    return f"urn:medqa:problem:{slug}"
