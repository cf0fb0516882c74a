"""GET /audit: the audit log, for admin keys only."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import Parameter

from app.access import audit
from app.access.auth import requires


class AuditController(Controller):
    """Who read or erased what, and when."""

    tags = ["audit"]  # noqa: RUF012 (Litestar declares it as an instance attribute)
    guards = [requires("admin")]  # noqa: RUF012

    @get("/audit", summary="List audit events, newest first")
    async def list_audit(
        self,
        audit_log: NamedDependency[audit.AuditLog],
        limit: Annotated[int, Parameter(ge=1, le=500, description="Page size.")] = 100,
        before: Annotated[str | None, Parameter(description="Cursor from a previous page's next_before.")] = None,
    ) -> audit.AuditPage:
        """A page of the audit log."""
        return await audit_log.page(limit, before)
