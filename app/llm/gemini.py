"""Gemini through google-genai's async client, with our own time budget, bounded retries and error mapping.

The SDK runs on an explicit aiohttp session and gets no per-call config (the fixed settings travel in the
client's ``extra_body``); each of the two roughly halves what remains of its CPU per call. The SDK retries
nothing here and ignores Gemini's ``retryDelay``; we retry at most ``max_retries`` times on
429/500/502/503/504 and transport errors, with full-jitter back-off, and honour ``retryDelay`` up to a cap.
The whole question, retries included, fits in one time budget.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from app.errors import ModelError, ModelRateLimited, ModelTimeout, ModelUnavailable
from app.llm.base import FinishReason, ModelAnswer, Turn
from app.llm.prompts import SAFETY_REFUSAL, SYSTEM_PROMPT

API_VERSION = "v1beta"
TEMPERATURE = 0.2
RETRYABLE_CODES = frozenset({429, 500, 502, 503, 504})
SAFETY_REASONS = frozenset(
    {"SAFETY", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "RECITATION", "IMAGE_SAFETY", "JAILBREAK", "MODEL_ARMOR"}
)
_DELAY = re.compile(r"^(\d+(?:\.\d+)?)s$")


@dataclass(frozen=True, slots=True)
class GeminiOptions:
    """What the Gemini client needs from the settings."""

    api_key: str
    model: str
    label: str
    base_url: str | None = None
    timeout_s: float = 25.0
    max_retries: int = 2
    retry_delay_cap_s: float = 4.0
    max_output_tokens: int = 1024
    backoff_base_s: float = 0.25
    max_connections: int = 200


class GeminiModel:
    """AnswerModel backed by google-genai; created once per process in the app's lifespan."""

    def __init__(self, options: GeminiOptions) -> None:
        self.options = options
        # The fixed part of every request (system prompt, temperature, token cap) goes on the wire from the
        # client's extra_body, so no call passes a GenerateContentConfig: the SDK converts one field by
        # field on every call, which cost more CPU than the HTTP request itself (docs/performance.md).
        self.request_defaults = request_defaults(options.max_output_tokens)
        self._session: aiohttp.ClientSession | None = None  # opened on first use, inside the event loop
        self._client: genai.Client | None = None
        self._closed = False

    def _sdk(self) -> genai.Client:
        """The SDK client on an explicit aiohttp session, built once inside the running loop."""
        if self._client is None:
            if self._closed:
                raise ModelUnavailable("the model client is closed", retry_after=5)
            # An explicit session fixes the transport (the SDK picks aiohttp or httpx2 by what is importable),
            # and aiohttp costs about half of httpx2's CPU per call. As many connections as questions may be
            # in flight, so none waits unseen in the pool.
            # The system resolver (getaddrinfo in a thread), as in the image: aiohttp would switch to c-ares
            # wherever aiodns happens to be installed (the checks group brings it).
            connector = aiohttp.TCPConnector(
                limit=self.options.max_connections, limit_per_host=0, resolver=aiohttp.ThreadedResolver()
            )
            self._session = aiohttp.ClientSession(connector=connector)
            http_options = types.HttpOptions(
                base_url=self.options.base_url,
                api_version=API_VERSION,
                timeout=int(self.options.timeout_s * 1000),
                aiohttp_client=self._session,
                # One attempt in the SDK: the retries are ours (below). Without retry options the SDK's aiohttp
                # path would retry a connection error once by itself, after a 1-10 s sleep.
                retry_options=types.HttpRetryOptions(attempts=1),
                extra_body=self.request_defaults,
            )
            self._client = genai.Client(api_key=self.options.api_key, http_options=http_options)
        return self._client

    @property
    def label(self) -> str:
        """Model name for records and metric labels."""
        return self.options.label

    async def answer(self, question: str, history: Sequence[Turn] = ()) -> ModelAnswer:
        """Ask Gemini within the time budget; map every failure to a ModelError subclass."""
        deadline = time.monotonic() + self.options.timeout_s
        contents = _contents(question, history)
        attempt = 0
        while True:
            try:
                async with asyncio.timeout(deadline - time.monotonic()):
                    response = await self._sdk().aio.models.generate_content(
                        model=self.options.model, contents=contents
                    )
                return self._to_answer(response, response.text)
            except TimeoutError:
                raise ModelTimeout(f"no answer within {self.options.timeout_s:g} s") from None
            except ValueError:  # the SDK's JSON/pydantic parsing of a malformed response
                raise ModelError("the model sent a malformed response") from None
            except (genai_errors.APIError, aiohttp.ClientError) as exc:
                attempt = await self._retry_or_raise(exc, attempt, deadline)

    async def stream(self, question: str, history: Sequence[Turn] = ()) -> AsyncIterator[str | ModelAnswer]:
        """Stream an answer; retries happen only before the first chunk, as in the SDK."""
        deadline = time.monotonic() + self.options.timeout_s
        contents = _contents(question, history)
        attempt, parts, last = 0, [], None
        while True:
            try:
                async with asyncio.timeout(deadline - time.monotonic()):
                    chunks = await self._sdk().aio.models.generate_content_stream(
                        model=self.options.model, contents=contents
                    )
                    async for chunk in chunks:
                        last = chunk
                        text = chunk.text if _finish_reason(chunk) != "safety" else None
                        if text:
                            parts.append(text)
                            yield text
                break
            except TimeoutError:
                raise ModelTimeout(f"no answer within {self.options.timeout_s:g} s") from None
            except ValueError:
                raise ModelError("the model sent a malformed response") from None
            except (genai_errors.APIError, aiohttp.ClientError) as exc:
                if parts:  # the stream broke after text went out: no retry can continue it
                    raise ModelUnavailable("the model stream broke off", retry_after=5) from None
                attempt = await self._retry_or_raise(exc, attempt, deadline)
        if last is None:
            raise ModelError("the model sent an empty stream")
        yield self._to_answer(last, "".join(parts))

    async def _retry_or_raise(self, exc: Exception, attempt: int, deadline: float) -> int:
        """Sleep before the next attempt and return its number, or raise the mapped error."""
        error = _map_error(exc)
        delay = self._backoff(attempt, error)
        if delay is None or time.monotonic() + delay >= deadline:
            raise error from None
        await asyncio.sleep(delay)
        return attempt + 1

    def _backoff(self, attempt: int, error: ModelError) -> float | None:
        """Seconds to wait before the next attempt, or None when the error is final."""
        if attempt >= self.options.max_retries or not isinstance(error, (ModelRateLimited, ModelUnavailable)):
            return None
        jitter = random.uniform(0, self.options.backoff_base_s * 2**attempt)  # noqa: S311 (not crypto)
        wanted = max(float(error.retry_after or 0), jitter) if isinstance(error, ModelRateLimited) else jitter
        return wanted if wanted <= self.options.retry_delay_cap_s else None

    def _to_answer(self, response: types.GenerateContentResponse, text: str | None) -> ModelAnswer:
        """Map the last response (with the full text) to a ModelAnswer; the usage comes from it."""
        usage = response.usage_metadata
        prompt_tokens = (usage.prompt_token_count or 0) if usage else 0
        completion_tokens = (usage.candidates_token_count or 0) if usage else 0
        finish = _finish_reason(response)
        text = text if finish != "safety" else None
        if finish == "safety" or not text:
            if finish != "safety":
                raise ModelError("the model returned an empty answer")
            text = SAFETY_REFUSAL
        return ModelAnswer(text.strip(), finish, prompt_tokens, completion_tokens, self.label)

    async def ping(self) -> bool:
        """The client is configured and open (no network call: readiness must not spend quota)."""
        return not self._closed

    async def aclose(self) -> None:
        """Close the HTTP session the SDK uses; later calls fail as unavailable."""
        self._closed = True
        session, self._session, self._client = self._session, None, None
        if session is not None:
            await session.close()


def request_defaults(max_output_tokens: int) -> dict[str, Any]:
    """The wire form of the settings every request carries, as GenerateContentConfig would send them.

    tests/unit/test_gemini.py checks that the body equals the one the SDK builds from
    ``GenerateContentConfig(system_instruction=SYSTEM_PROMPT, temperature=0.2, max_output_tokens=...)``.
    """
    return {
        "systemInstruction": {"role": "user", "parts": [{"text": SYSTEM_PROMPT}]},
        "generationConfig": {"temperature": TEMPERATURE, "maxOutputTokens": max_output_tokens},
    }


def _contents(question: str, history: Sequence[Turn]) -> str | list[types.Content]:
    """The conversation as Gemini contents: earlier turns, then the new question.

    A first question goes as a plain string, as the bare client sends it: the SDK turns it into the same
    user Content, without validating three pydantic objects of ours first.
    """
    if not history:
        return question
    contents: list[types.Content] = []
    for turn in history:
        contents.append(types.Content(role="user", parts=[types.Part(text=turn.question)]))
        contents.append(types.Content(role="model", parts=[types.Part(text=turn.answer)]))
    contents.append(types.Content(role="user", parts=[types.Part(text=question)]))
    return contents


def _finish_reason(response: types.GenerateContentResponse) -> FinishReason:
    feedback = response.prompt_feedback
    if feedback is not None and feedback.block_reason is not None:
        return "safety"
    if not response.candidates:
        return "other"
    reason = response.candidates[0].finish_reason
    name = reason.name if reason is not None else "STOP"
    if name == "STOP":
        return "stop"
    if name == "MAX_TOKENS":
        return "max_tokens"
    return "safety" if name in SAFETY_REASONS else "other"


def _map_error(exc: Exception) -> ModelError:
    """Turn an SDK or transport error into our vocabulary; never leaks the upstream message."""
    # Refused or reset connections and broken bodies; aiohttp's read time-outs are TimeoutError (ModelTimeout).
    if isinstance(exc, aiohttp.ClientError):
        return ModelUnavailable("could not reach the model endpoint", retry_after=5)
    if not isinstance(exc, genai_errors.APIError):
        return ModelError(f"unexpected model client error ({type(exc).__name__})")
    if exc.code == 429:
        return ModelRateLimited("the model's quota is exhausted", retry_after=_retry_delay(exc.details) or 10)
    if exc.code in RETRYABLE_CODES:
        return ModelUnavailable(f"the model answered HTTP {exc.code}", retry_after=5)
    return ModelError(f"the model rejected the request (HTTP {exc.code} {exc.status or ''})".strip())


def _retry_delay(details: Any) -> int | None:
    """Gemini's RetryInfo.retryDelay ("7s", "0.5s") in whole seconds, if present."""
    error = details.get("error", details) if isinstance(details, dict) else {}
    for item in error.get("details", []) if isinstance(error, dict) else []:
        if isinstance(item, dict) and str(item.get("@type", "")).endswith("google.rpc.RetryInfo"):
            match = _DELAY.match(str(item.get("retryDelay", "")))
            if match:
                return max(1, round(float(match.group(1))))
    return None
