"""The outermost ASGI layer: request id, access log line, and the HTTP metrics, for every request."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import structlog

from app.system.metrics import Metrics, route_label

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = structlog.get_logger("medqa.access")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})


def _request_id(scope: Scope) -> str:
    """Reuse a well-formed incoming X-Request-ID (from the ingress), else make one."""
    for name, value in scope.get("headers") or []:
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _SAFE_ID.match(candidate):
                return candidate
    return uuid.uuid4().hex


_SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
# The API serves data and needs no scripts; the chat page loads only its own files; the schema viewer
# (/schema, documentation only) loads its assets from its CDN, so it keeps the browser's defaults.
_API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'")
_PAGE_CSP = (
    b"content-security-policy",
    b"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
)


def security_headers(path: str, request_id: str) -> list[tuple[bytes, bytes]]:
    """Headers every response carries: request id, no-sniff, frame-deny, referrer and a strict CSP."""
    headers = [(b"x-request-id", request_id.encode()), *_SECURITY_HEADERS]
    if path == "/" or path.startswith("/static/"):
        headers.append(_PAGE_CSP)
    elif not path.startswith("/schema"):
        headers.append(_API_CSP)
    return headers


def observe(app: ASGIApp, metrics: Metrics) -> ASGIApp:
    """Wrap the app: every HTTP request is counted, timed, logged once and tagged with a request id."""
    # The labelled children, looked up once per label set (prometheus_client's .labels() takes a lock and
    # validates on every call). Bounded as the metrics themselves are: route templates, methods, statuses.
    counters: dict[tuple[str, str, int], Any] = {}
    timers: dict[tuple[str, str], Any] = {}

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        request_id = _request_id(scope)
        status = 500
        start = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *security_headers(scope["path"], request_id)]
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        metrics.inflight.inc()
        try:
            await app(scope, receive, send_wrapper)
        finally:
            metrics.inflight.dec()
            elapsed = time.perf_counter() - start
            route, method = route_label(scope), scope["method"]
            counter = counters.get((method, route, status))
            if counter is None:
                counter = counters[(method, route, status)] = metrics.http_requests.labels(method, route, str(status))
            counter.inc()
            timer = timers.get((method, route))
            if timer is None:
                timer = timers[(method, route)] = metrics.http_duration.labels(method, route)
            timer.observe(elapsed)
            if route not in QUIET_ROUTES or status >= 400:
                log.info("http.request", method=method, route=route, status=status, latency_ms=round(elapsed * 1000, 1))
            structlog.contextvars.clear_contextvars()

    return middleware
