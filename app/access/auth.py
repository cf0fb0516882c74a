"""Bearer API keys on every request, scope guards per route, and the rate limiter's client identity."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp

from app.access.keys import KeyVerifier, Principal
from app.db import DB_ERRORS
from app.errors import DatabaseUnavailable, Forbidden, Unauthorized

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


class ApiKeyMiddleware(AbstractAuthenticationMiddleware):
    """No Authorization header: anonymous. A Bearer key: checked by `verifier`, and a wrong one is a 401 at once."""

    def __init__(self, app: ASGIApp, *, verifier: KeyVerifier, exclude: list[str] | None = None) -> None:
        super().__init__(app, exclude=exclude)
        self.verifier = verifier

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        """Resolve the caller from the Authorization header."""
        header = connection.headers.get("authorization")
        if not header:
            return AuthenticationResult(user=None, auth=None)
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise Unauthorized("use Authorization: Bearer <key>")
        try:
            principal = await self.verifier.verify(key.strip())
        except DB_ERRORS:
            raise DatabaseUnavailable("the key could not be checked", retry_after=5) from None
        if principal is None:
            raise Unauthorized("the API key is not valid")
        return AuthenticationResult(user=principal, auth=None)


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """The caller's principal, or None for an anonymous request."""
    user = connection.scope.get("user")
    return user if isinstance(user, Principal) else None


def requires(scope: str) -> Guard:
    """A guard: 401 without a key, 403 with a key that lacks `scope`."""

    # async on purpose: Litestar runs a plain function in a worker thread, a hand-off on every request.
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = principal_of(connection)
        if principal is None:
            raise Unauthorized(f"an API key with the {scope!r} scope is required")
        if not principal.allows(scope):
            raise Forbidden(f"this key lacks the {scope!r} scope")

    return guard


def client_identity(trusted_proxies: tuple[str, ...]) -> Callable[[Any], str]:
    """The rate limiter's key: the API key's name, else the client address (X-Forwarded-For from trusted proxies)."""
    networks = tuple(ipaddress.ip_network(cidr) for cidr in trusted_proxies)

    def trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in networks)

    def identify(request: Any) -> str:
        principal = principal_of(request)
        if principal is not None:
            return f"key:{principal.name}"
        address = request.client.host if request.client else "unknown"
        if trusted(address):
            hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
            while hops and trusted(hops[-1]):
                hops.pop()
            if hops:
                address = hops[-1]
        return f"ip:{address}"

    return identify
