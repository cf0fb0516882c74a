"""The Front Door check: a request that did not come through our Azure Front Door profile gets 403.

Front Door adds `X-Azure-FDID: <profile id>` to every request it forwards; a request straight to the
ingress address, or through somebody else's Front Door profile, lacks it or carries another id. The
probes and the metrics endpoint are exempt: kubelet and the scraper call the pod directly.

It wraps the whole Litestar application rather than sitting in its middleware list because Litestar runs
route middleware only for matched routes: a 404 for an unknown path would otherwise tell a direct caller
which paths exist.
"""

from __future__ import annotations

import hmac

import msgspec
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, HTTPResponseBodyEvent, HTTPResponseStartEvent, Receive, Scope, Send

from app.errors import Forbidden
from app.problems import PROBLEM_JSON, to_problem

EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
_HEADER = b"x-azure-fdid"
_DETAIL = "requests must come through the service's Azure Front Door"


class FrontDoorCheck(ASGIMiddleware):
    """403 problem+json unless every X-Azure-FDID header equals the configured profile id (and one exists)."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, front_door_id: str) -> None:
        self._expected = front_door_id.lower().encode("ascii")

    def _allowed(self, scope: Scope) -> bool:
        found = False
        for name, value in scope["headers"]:
            if name == _HEADER:
                # Constant time: the id is what keeps direct callers out, so do not leak it byte by byte.
                # The lower-casing copy is made only for a value that differs (Front Door sends lower case).
                expected = self._expected
                if not (hmac.compare_digest(value, expected) or hmac.compare_digest(value.lower(), expected)):
                    return False
                found = True
        return found

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Pass exempt paths and requests from our Front Door; answer 403 to everything else."""
        if scope["path"] in EXEMPT_PATHS or self._allowed(scope):
            await next_app(scope, receive, send)
            return
        body = msgspec.json.encode(to_problem(Forbidden(_DETAIL), scope["path"]).problem)
        headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
        start: HTTPResponseStartEvent = {"type": "http.response.start", "status": 403, "headers": headers}
        end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
        await send(start)
        await send(end)
