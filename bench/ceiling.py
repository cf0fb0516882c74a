"""The bare google-genai async client against the fake: the ceiling the service is measured against.

Run as its own process (one core, like the service): N tasks call ``client.aio.models.generate_content``
through an explicit httpx2.AsyncClient, as app/llm/gemini.py does, for a fixed time. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from pathlib import Path

import httpx2
from google import genai
from google.genai import types

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.llm.prompts import SYSTEM_PROMPT

# The same request as app/llm/gemini.py sends: system prompt, temperature, token cap, no function calling.
CONFIG = types.GenerateContentConfig(
    system_instruction=SYSTEM_PROMPT,
    temperature=0.2,
    max_output_tokens=1024,
    automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
)


async def _worker(client: genai.Client, stop_at: float, index: int, latencies: list[float]) -> int:
    """Call the model until `stop_at`; return the number of failures."""
    failures, n = 0, 0
    while time.monotonic() < stop_at:
        n += 1
        start = time.perf_counter()
        try:
            await client.aio.models.generate_content(
                model="gemini-3.8-flash", contents=f"How can I sleep better, question {index}-{n}?", config=CONFIG
            )
            latencies.append(time.perf_counter() - start)
        except Exception:  # noqa: BLE001 (counted and reported, the run goes on)
            failures += 1
    return failures


def _cpu_s() -> float:
    """User plus system CPU seconds of this process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(base_url: str, concurrency: int, seconds: float) -> dict[str, float]:
    """Calls per second, p50/p99 latency (ms) and failures with `concurrency` tasks for `seconds`."""
    http = httpx2.AsyncClient(timeout=httpx2.Timeout(30.0), limits=httpx2.Limits(max_connections=200))
    options = types.HttpOptions(base_url=base_url, api_version="v1beta", timeout=30_000, httpx_async_client=http)
    client = genai.Client(api_key="bench-key", http_options=options)
    latencies: list[float] = []
    await _worker(client, time.monotonic() + 1.0, -1, [])  # warm up: connection, imports, pydantic
    cpu = _cpu_s()
    start = time.monotonic()
    stop_at = start + seconds
    failures = await asyncio.gather(*(_worker(client, stop_at, i, latencies) for i in range(concurrency)))
    elapsed = time.monotonic() - start
    cpu = _cpu_s() - cpu
    await http.aclose()
    latencies.sort()
    count = len(latencies)
    return {
        "rps": count / elapsed,
        "p50_ms": latencies[count // 2] * 1000 if count else 0.0,
        "p99_ms": latencies[min(count - 1, int(count * 0.99))] * 1000 if count else 0.0,
        "failures": float(sum(failures)),
        "cpu_share": cpu / elapsed,
        "cpu_ms_per_call": 1000 * cpu / max(count, 1),
    }


def main() -> None:
    """Parse the arguments, measure, print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.url, args.concurrency, args.seconds))))


if __name__ == "__main__":
    main()
