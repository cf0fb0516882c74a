"""GeminiModel through the real google-genai SDK against the local fake: mapping, retries, time budget."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from app.errors import ModelError, ModelRateLimited, ModelTimeout, ModelUnavailable
from app.llm.gemini import GeminiModel, GeminiOptions, request_defaults
from app.llm.prompts import SAFETY_REFUSAL
from tests.plugins.gemini import FakeGeminiHandle


@pytest.fixture
async def model(fake_gemini: FakeGeminiHandle) -> AsyncIterator[GeminiModel]:
    options = GeminiOptions(
        api_key="test-key", model="gemini-test", label="gemini-test", base_url=fake_gemini.url,
        timeout_s=2.0, max_retries=2, retry_delay_cap_s=1.5, backoff_base_s=0.01,
    )  # fmt: skip
    client = GeminiModel(options)
    yield client
    await client.aclose()


async def test_answer_maps_text_usage_and_finish_reason(model: GeminiModel) -> None:
    answer = await model.answer("What is a normal resting heart rate?")
    assert answer.finish_reason == "stop"
    assert answer.text.startswith("This is a demo answer")
    assert answer.prompt_tokens > 0 and answer.completion_tokens > 0
    assert answer.model == "gemini-test"


async def test_safety_block_is_a_polite_refusal(model: GeminiModel, fake_gemini: FakeGeminiHandle) -> None:
    fake_gemini.set_mode("safety")
    answer = await model.answer("q")
    assert (answer.finish_reason, answer.text) == ("safety", SAFETY_REFUSAL)


async def test_blocked_prompt_is_a_polite_refusal(model: GeminiModel, fake_gemini: FakeGeminiHandle) -> None:
    fake_gemini.set_mode("blocked")
    answer = await model.answer("q")
    assert (answer.finish_reason, answer.text) == ("safety", SAFETY_REFUSAL)


async def test_max_tokens_keeps_the_partial_answer(model: GeminiModel, fake_gemini: FakeGeminiHandle) -> None:
    fake_gemini.set_mode("max_tokens")
    answer = await model.answer("q")
    assert answer.finish_reason == "max_tokens" and answer.text


async def test_transient_503_is_retried_then_succeeds(model: GeminiModel, fake_gemini: FakeGeminiHandle) -> None:
    fake_gemini.set_mode("error:503x1")
    answer = await model.answer("q")
    assert answer.finish_reason == "stop"
    assert fake_gemini.calls() == 2


async def test_sustained_500_gives_up_after_bounded_retries(model: GeminiModel, fake_gemini: FakeGeminiHandle) -> None:
    fake_gemini.set_mode("error:500")
    with pytest.raises(ModelUnavailable) as info:
        await model.answer("q")
    assert fake_gemini.calls() == 3  # the first attempt and two retries, never more
    assert info.value.retry_after == 5


async def test_429_honours_retry_delay_and_reports_it(fake_gemini: FakeGeminiHandle) -> None:
    options = GeminiOptions(api_key="k", model="m", label="m", base_url=fake_gemini.url, timeout_s=5.0)
    client = GeminiModel(options)
    fake_gemini.set_mode("error:429")
    start = time.monotonic()
    with pytest.raises(ModelRateLimited) as info:
        await client.answer("q")
    await client.aclose()
    assert fake_gemini.calls() == 3
    assert time.monotonic() - start >= 2.0 * 0.9  # two waits of the fake's retryDelay (1 s)
    assert info.value.retry_after == 1


async def test_429_with_a_delay_beyond_the_cap_fails_fast(fake_gemini: FakeGeminiHandle) -> None:
    options = GeminiOptions(api_key="k", model="m", label="m", base_url=fake_gemini.url, retry_delay_cap_s=0.5)
    client = GeminiModel(options)
    fake_gemini.set_mode("error:429")
    with pytest.raises(ModelRateLimited):
        await client.answer("q")
    await client.aclose()
    assert fake_gemini.calls() == 1


async def test_retries_stop_when_the_budget_would_be_exceeded(
    model: GeminiModel, fake_gemini: FakeGeminiHandle
) -> None:
    fake_gemini.set_mode("error:429")  # retryDelay 1 s: a second wait would end past the 2 s budget
    start = time.monotonic()
    with pytest.raises(ModelRateLimited):
        await model.answer("q")
    assert fake_gemini.calls() == 2
    assert time.monotonic() - start < 2.0


async def test_hang_times_out_within_the_budget(model: GeminiModel, fake_gemini: FakeGeminiHandle) -> None:
    fake_gemini.set_mode("hang")
    start = time.monotonic()
    with pytest.raises(ModelTimeout):
        await model.answer("q")
    assert 1.9 <= time.monotonic() - start < 3.0


@pytest.mark.parametrize("code", [400, 403, 404])
async def test_client_errors_are_not_retried(model: GeminiModel, fake_gemini: FakeGeminiHandle, code: int) -> None:
    fake_gemini.set_mode(f"error:{code}")
    with pytest.raises(ModelError) as info:
        await model.answer("q")
    assert type(info.value) is ModelError and str(code) in info.value.detail
    assert fake_gemini.calls() == 1


async def test_malformed_response_is_a_model_error(model: GeminiModel, fake_gemini: FakeGeminiHandle) -> None:
    fake_gemini.set_mode("malformed")
    with pytest.raises(ModelError):
        await model.answer("q")


async def test_unreachable_endpoint_is_unavailable() -> None:
    from tests.plugins.postgres import free_port

    options = GeminiOptions(api_key="k", model="m", label="m", base_url=f"http://127.0.0.1:{free_port()}",
                            timeout_s=2.0, max_retries=1, backoff_base_s=0.01)  # fmt: skip
    client = GeminiModel(options)
    with pytest.raises(ModelUnavailable):
        await client.answer("q")
    await client.aclose()


async def test_ping_is_false_once_closed(model: GeminiModel) -> None:
    assert await model.ping()
    await model.aclose()
    assert not await model.ping()


async def test_connection_reset_is_unavailable_and_retried() -> None:
    """A server that accepts and resets every connection: transport errors, bounded retries, then 503."""
    import asyncio
    import socket
    import struct

    attempts = 0

    async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal attempts
        attempts += 1
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with RST
        writer.close()

    server = await asyncio.start_server(reset, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    options = GeminiOptions(api_key="k", model="m", label="m", base_url=f"http://127.0.0.1:{port}",
                            timeout_s=3.0, max_retries=2, backoff_base_s=0.01)  # fmt: skip
    client = GeminiModel(options)
    try:
        with pytest.raises(ModelUnavailable):
            await client.answer("q")
    finally:
        await client.aclose()
        server.close()
        await server.wait_closed()
    assert attempts == 3


async def test_the_wire_body_is_the_one_the_sdk_builds_from_a_config(
    model: GeminiModel, fake_gemini: FakeGeminiHandle
) -> None:
    """The request defaults in extra_body send exactly what GenerateContentConfig would, call after call."""
    import aiohttp
    from google import genai
    from google.genai import types

    from app.llm.prompts import SYSTEM_PROMPT

    await model.answer("How much water a day?")
    await model.answer("How much water a day?")
    async with aiohttp.ClientSession() as session:
        options = types.HttpOptions(base_url=fake_gemini.url, api_version="v1beta", aiohttp_client=session)
        config = types.GenerateContentConfig(system_instruction=SYSTEM_PROMPT, temperature=0.2, max_output_tokens=1024)
        client = genai.Client(api_key="k", http_options=options)
        await client.aio.models.generate_content(model="gemini-test", contents="How much water a day?", config=config)
    first, second, from_config = fake_gemini.requests()
    assert first == second == from_config
    assert model.request_defaults == request_defaults(1024)  # the SDK merged it, it did not change it


async def test_a_stream_carries_the_same_defaults(model: GeminiModel, fake_gemini: FakeGeminiHandle) -> None:
    chunks = [chunk async for chunk in model.stream("Is it a cold?")]
    assert chunks
    (body,) = fake_gemini.requests()
    assert body["systemInstruction"] == request_defaults(1024)["systemInstruction"]
    assert body["generationConfig"] == {"temperature": 0.2, "maxOutputTokens": 1024}
    assert body["contents"] == [{"role": "user", "parts": [{"text": "Is it a cold?"}]}]


async def test_a_closed_client_is_unavailable_and_sends_nothing(
    model: GeminiModel, fake_gemini: FakeGeminiHandle
) -> None:
    await model.answer("q")
    await model.aclose()
    with pytest.raises(ModelUnavailable):
        await model.answer("q")
    assert fake_gemini.calls() == 1
