"""A local fake of the Gemini REST API, faithful enough for the real google-genai SDK to talk to.

Serves ``POST /{v1beta|v1}/models/{model}:generateContent``, ``:streamGenerateContent?alt=sse`` and
``:countTokens`` with Gemini's response and error JSON shapes. Used by tests, demo mode and load tests.
Behaviour is set by a mode string (see ``FakeConfig.parse_mode``) and can be changed while it runs
with ``PUT /_fake/config``; ``GET /_fake/stats`` counts the model calls it received and
``GET /_fake/prompts`` shows the last prompts (so tests can prove no personal data arrived) and
``GET /_fake/requests`` the last request bodies as received (so tests can check the wire form).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
from collections import Counter, deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MODES = ("ok", "hang", "safety", "blocked", "max_tokens", "stream_error", "malformed")
_PATH = re.compile(r"^/(v1beta|v1)/models/(?P<model>[A-Za-z0-9._-]+):(?P<method>[A-Za-z]+)$")
_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
DEMO_ANSWER = (
    "This is a demo answer from MedQA's local stand-in for Gemini, so no medical content is given. "
    "In production this text comes from the configured Gemini model. For health concerns, talk to a "
    "doctor or pharmacist."
)


@dataclass
class FakeConfig:
    """How the fake behaves: a mode, a latency, and for error modes how many calls fail."""

    mode: str = "ok"
    status: int = 0
    fail_count: int | None = None
    latency_ms: int = 0
    retry_delay_s: int = 1
    chunk_delay_ms: int = 5

    @classmethod
    def parse_mode(cls, mode: str, latency_ms: int = 0, chunk_delay_ms: int = 5) -> FakeConfig:
        """Parse ``ok``, ``hang``, ``safety``, ``max_tokens``, ... or ``error:CODE`` / ``error:CODExN``."""
        if latency_ms < 0 or chunk_delay_ms < 0:
            raise ValueError("latency and chunk delay must not be negative")
        if mode in MODES:
            return cls(mode=mode, latency_ms=latency_ms, chunk_delay_ms=chunk_delay_ms)
        match = re.fullmatch(r"error:(\d{3})(?:x(\d+))?", mode)
        if not match or int(match.group(1)) not in _STATUS:
            known = ", ".join((*MODES, "error:CODE[xN]"))
            raise ValueError(f"unknown mode {mode!r}; use one of {known} with CODE in {sorted(_STATUS)}")
        count = int(match.group(2)) if match.group(2) else None
        status = int(match.group(1))
        return cls(mode="error", status=status, fail_count=count, latency_ms=latency_ms, chunk_delay_ms=chunk_delay_ms)


@dataclass
class FakeGemini:
    """The ASGI application; one instance holds the mode and the call counters."""

    config: FakeConfig = field(default_factory=FakeConfig)
    calls: Counter[str] = field(default_factory=Counter)
    prompts: deque[str] = field(default_factory=lambda: deque(maxlen=200))
    requests: deque[Any] = field(default_factory=lambda: deque(maxlen=20))
    failures_sent: int = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = await _read_body(receive)
        path, method = scope["path"], scope["method"]
        if path == "/_fake/stats" and method == "GET":
            await _json(send, 200, {"calls": dict(self.calls), "total": sum(self.calls.values())})
        elif path == "/_fake/prompts" and method == "GET":  # what reached "Gemini": tests check no PII did
            await _json(send, 200, {"prompts": list(self.prompts)})
        elif path == "/_fake/requests" and method == "GET":
            await _json(send, 200, {"requests": list(self.requests)})
        elif path == "/_fake/config" and method == "PUT":
            await self._configure(send, body)
        else:
            match = _PATH.match(path)
            if match is None or method != "POST":
                await _error(send, 404, f"Method not found: {method} {path}")
                return
            await self._model_call(scope, receive, send, match, body)

    async def _configure(self, send: Send, body: bytes) -> None:
        try:
            wanted = json.loads(body or b"{}")
            self.config = FakeConfig.parse_mode(
                str(wanted.get("mode", "ok")), int(wanted.get("latency_ms", 0)), int(wanted.get("chunk_delay_ms", 5))
            )
        except (ValueError, TypeError, AttributeError) as exc:
            await _error(send, 400, str(exc))
            return
        self.calls.clear()
        self.prompts.clear()
        self.requests.clear()
        self.failures_sent = 0
        await _json(send, 200, {"mode": self.config.mode, "status": self.config.status})

    async def _model_call(self, scope: Scope, receive: Receive, send: Send, route: re.Match[str], body: bytes) -> None:
        model, method = route.group("model"), route.group("method")
        headers = dict(scope.get("headers") or [])
        if not headers.get(b"x-goog-api-key"):
            await _error(send, 401, "API key not valid. Please pass a valid API key.")
            return
        self.calls[method] += 1
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            await _error(send, 400, "Invalid JSON payload received.")
            return
        prompt = _prompt_text(request)
        self.prompts.append(prompt)
        self.requests.append(request)
        if method == "countTokens":
            await _json(send, 200, {"totalTokens": _tokens(prompt)})
            return
        if method not in ("generateContent", "streamGenerateContent"):
            await _error(send, 404, f"Method {method} is not supported by the fake.")
            return
        if self.config.latency_ms:
            await asyncio.sleep(self.config.latency_ms / 1000)
        if await self._fail_if_configured(receive, send):
            return
        if method == "generateContent":
            await _json(send, 200, self._response(model, prompt))
        else:
            await self._stream(send, model, prompt)

    async def _fail_if_configured(self, receive: Receive, send: Send) -> bool:
        cfg = self.config
        if cfg.mode == "hang":  # never answer; stop waiting when the client gives up
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(3600):
                    while (await receive())["type"] != "http.disconnect":
                        pass
            return True
        if cfg.mode == "malformed":
            await _send(send, 200, b'{"candidates": [', "application/json")
            return True
        if cfg.mode != "error" or (cfg.fail_count is not None and self.failures_sent >= cfg.fail_count):
            return False
        self.failures_sent += 1
        details = []
        if cfg.status == 429:
            details = [
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{cfg.retry_delay_s}s"},
            ]
        await _error(send, cfg.status, f"fake-gemini: error mode {cfg.status}", details)
        return True

    def _response(self, model: str, prompt: str, text: str | None = None) -> dict[str, Any]:
        mode = self.config.mode
        answer = DEMO_ANSWER if text is None else text
        usage = {"promptTokenCount": _tokens(prompt)}
        response: dict[str, Any] = {"modelVersion": model, "responseId": f"fake-{sum(self.calls.values())}"}
        if mode == "blocked":
            response["promptFeedback"] = {"blockReason": "SAFETY"}
            response["usageMetadata"] = {**usage, "totalTokenCount": usage["promptTokenCount"]}
            return response
        candidate: dict[str, Any] = {"index": 0, "finishReason": "STOP"}
        if mode == "safety":
            candidate["finishReason"] = "SAFETY"
            candidate["safetyRatings"] = [
                {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": True}
            ]
            answer = ""
        elif mode == "max_tokens":
            candidate["finishReason"] = "MAX_TOKENS"
            answer = answer[: len(answer) // 2]
        if answer:
            candidate["content"] = {"role": "model", "parts": [{"text": answer}]}
        usage["candidatesTokenCount"] = _tokens(answer)
        usage["totalTokenCount"] = usage["promptTokenCount"] + usage["candidatesTokenCount"]
        response["candidates"] = [candidate]
        response["usageMetadata"] = usage
        return response

    async def _stream(self, send: Send, model: str, prompt: str) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]})
        words = DEMO_ANSWER.split(" ")
        chunks = [" ".join(words[i : i + 6]) + " " for i in range(0, len(words), 6)]
        for index, chunk in enumerate(chunks):
            if self.config.mode == "stream_error" and index == 2:
                error = {"error": {"code": 503, "message": "fake-gemini: stream broke", "status": "UNAVAILABLE"}}
                await send({"type": "http.response.body", "body": _sse(error), "more_body": True})
                break
            last = index == len(chunks) - 1
            part = self._response(model, prompt, chunk) if last else _chunk(model, chunk)
            await send({"type": "http.response.body", "body": _sse(part), "more_body": True})
            await asyncio.sleep(self.config.chunk_delay_ms / 1000)
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def _chunk(model: str, text: str) -> dict[str, Any]:
    content = {"role": "model", "parts": [{"text": text}]}
    return {"candidates": [{"index": 0, "content": content}], "modelVersion": model}


def _sse(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload).encode() + b"\r\n\r\n"


def _prompt_text(request: Any) -> str:
    texts: list[str] = []
    contents = request.get("contents", []) if isinstance(request, dict) else []
    for content in contents if isinstance(contents, list) else []:
        for part in content.get("parts", []) if isinstance(content, dict) else []:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                texts.append(part["text"])
    return "\n".join(texts)


def _tokens(text: str) -> int:
    return max(1, math.ceil(len(text) / 4)) if text else 0


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _send(send: Send, status: int, body: bytes, content_type: str) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _json(send: Send, status: int, payload: dict[str, Any]) -> None:
    await _send(send, status, json.dumps(payload).encode(), "application/json; charset=UTF-8")


async def _error(send: Send, code: int, message: str, details: list[dict[str, Any]] | None = None) -> None:
    error: dict[str, Any] = {"code": code, "message": message, "status": _STATUS.get(code, "UNKNOWN")}
    if details:
        error["details"] = details
    await _json(send, code, {"error": error})
