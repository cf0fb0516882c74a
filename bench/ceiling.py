"""The bare google-genai async client against the fake: the ceiling the service is measured against.

Run as its own process (one core and uvloop, like the service): N tasks call the model for a fixed time.
Prints one JSON line. Every style sends the service's request (system prompt, temperature, token cap):

- ``sdk`` (the ceiling of issue #19's targets, as the issue measured it): the SDK as it ships, on its own
  transport (an explicit ``httpx2.AsyncClient``; httpx2 is the SDK's dependency, aiohttp only an extra),
  ``client.aio.models.generate_content(model=..., contents=question, config=GenerateContentConfig(...))``.
- ``docs``: the same call on the transport the SDK picks by itself (aiohttp whenever it can import it, as in
  this project's environment, where the FastAPI peer gets it too).
- ``app``: the service's own model client, ``app.llm.gemini.GeminiModel.answer``: the same SDK on an
  explicit aiohttp session, the fixed settings in the client's ``extra_body`` (no per-call config), with the
  service's retry and error mapping. The service's CPU per request minus this is what the service adds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx2
import uvloop
from google import genai
from google.genai import types

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.llm.gemini import API_VERSION, TEMPERATURE, GeminiModel, GeminiOptions
from app.llm.prompts import SYSTEM_PROMPT

STYLES = ("sdk", "docs", "app")
MEASURED = ("sdk", "app")  # what bench/run.py measures in every round
MODEL = "gemini-3.8-flash"
# The request app/llm/gemini.py sends, written as a per-call config: system prompt, temperature, token cap.
CONFIG = types.GenerateContentConfig(system_instruction=SYSTEM_PROMPT, temperature=TEMPERATURE, max_output_tokens=1024)

Ask = Callable[[str], Awaitable[object]]


async def _worker(ask: Ask, stop_at: float, index: int, latencies: list[float]) -> int:
    """Call the model until `stop_at`; return the number of failures."""
    failures, n = 0, 0
    while time.monotonic() < stop_at:
        n += 1
        start = time.perf_counter()
        try:
            await ask(f"How can I sleep better, question {index}-{n}?")
            latencies.append(time.perf_counter() - start)
        except Exception:  # noqa: BLE001 (counted and reported, the run goes on)
            failures += 1
    return failures


def _cpu_s() -> float:
    """User plus system CPU seconds of this process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _client(style: str, base_url: str) -> tuple[Ask, Callable[[], Awaitable[object]], str]:
    """The call to measure, how to close it, and the transport it uses."""
    if style in ("sdk", "docs"):
        http = (
            httpx2.AsyncClient(timeout=httpx2.Timeout(30.0), limits=httpx2.Limits(max_connections=200))
            if style == "sdk"
            else None
        )
        options = types.HttpOptions(base_url=base_url, api_version=API_VERSION, timeout=30_000, httpx_async_client=http)
        client = genai.Client(api_key="bench-key", http_options=options)
        api = client.aio.models

        async def ask(question: str) -> object:
            return await api.generate_content(model=MODEL, contents=question, config=CONFIG)

        async def close() -> None:
            await client.aio.aclose()
            if http is not None:
                await http.aclose()

        picked = style == "docs" and getattr(client._api_client, "_use_aiohttp", lambda: False)()
        return ask, close, "aiohttp" if picked else "httpx2"
    model = GeminiModel(GeminiOptions(api_key="bench-key", model=MODEL, label=MODEL, base_url=base_url, timeout_s=30.0))
    return model.answer, model.aclose, "aiohttp"


async def measure(base_url: str, concurrency: int, seconds: float, style: str = "sdk") -> dict[str, object]:
    """Calls per second, p50/p99 latency (ms), failures and CPU with `concurrency` tasks for `seconds`."""
    ask, close, transport = _client(style, base_url)
    latencies: list[float] = []
    await _worker(ask, time.monotonic() + 1.0, -1, [])  # warm up: connection, imports, pydantic
    cpu = _cpu_s()
    start = time.monotonic()
    stop_at = start + seconds
    failures = await asyncio.gather(*(_worker(ask, stop_at, i, latencies) for i in range(concurrency)))
    elapsed = time.monotonic() - start
    cpu = _cpu_s() - cpu
    await close()
    latencies.sort()
    count = len(latencies)
    return {
        "style": style,
        "transport": transport,
        "rps": count / elapsed,
        "p50_ms": latencies[count // 2] * 1000 if count else 0.0,
        "p99_ms": latencies[min(count - 1, int(count * 0.99))] * 1000 if count else 0.0,
        "failures": float(sum(failures)),
        "cpu_share": cpu / elapsed,
        "cpu_ms_per_call": 1000 * cpu / max(count, 1),
    }


def main() -> None:
    """Parse the arguments, measure, print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--style", choices=STYLES, default="sdk")
    args = parser.parse_args()
    print(json.dumps(uvloop.run(measure(args.url, args.concurrency, args.seconds, args.style))))


if __name__ == "__main__":
    main()
