"""One measurement: a wrk run plus the CPU the service spent; interleaved rounds to compare variants fairly."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.load import LoadResult, run_wrk
from bench.stack import Service, Stack

CEILING = str(Path(__file__).with_name("ceiling.py"))


@dataclass(frozen=True)
class Measured:
    """A wrk result with the CPU the service spent meanwhile (share of one core, ms per request)."""

    load: LoadResult
    cpu_share: float
    cpu_ms_per_request: float

    def figures(self) -> dict[str, object]:
        """Everything as plain data for --json."""
        return {**asdict(self.load), "rps": self.load.rps, "cpu_share": self.cpu_share,
                "cpu_ms_per_request": self.cpu_ms_per_request}  # fmt: skip

    def line(self, name: str) -> str:
        """One row of the printed table."""
        r = self.load
        errors = json.dumps({k: v for k, v in r.errors.items() if v}) if r.error_count else ""
        return (f"{name:<36} {r.rps:7.1f} req/s  p50 {r.p50_ms:7.1f}  p95 {r.p95_ms:7.1f}  p99 {r.p99_ms:7.1f} ms  "
                f"ok {r.ok:6d}  errors {r.error_count}{errors}  "
                f"CPU {self.cpu_share:.0%} of a core, {self.cpu_ms_per_request:.2f} ms/req")  # fmt: skip


def measure(service: Service, connections: int, seconds: int, timeout_s: int = 30) -> Measured:
    """One wrk run against `service`, with the CPU the service used during it."""
    cpu = service.cpu_s()
    result = run_wrk(service.url, connections, seconds, threads=2 if connections > 100 else 1, timeout_s=timeout_s)
    used = service.cpu_s() - cpu
    return Measured(result, used / result.seconds, 1000 * used / max(result.requests, 1))


def compare(
    services: dict[str, Service],
    connections: int,
    seconds: int,
    rounds: int,
    each_round: Callable[[int], object] | None = None,
) -> dict[str, Measured]:
    """Run the services in turn, `rounds` times, `seconds / rounds` each; keep each one's median round.

    The machine is shared: interleaving spreads a burst of outside load over every variant instead of
    letting it land on one of them, and the order rotates each round. `each_round(seconds)` runs first in
    every round (the ceiling).
    """
    for service in services.values():  # warm-up: connections, first queries, lazy imports
        run_wrk(service.url, min(connections, 16), 1, timeout_s=30)
    per_round = max(2, seconds // rounds)
    runs: dict[str, list[Measured]] = {name: [] for name in services}
    names = list(services)
    for number in range(rounds):
        if each_round is not None:
            each_round(per_round)
        # Rotate the order, so that no service always runs right after the ceiling (or any other) burst.
        for name in names[number % len(names) :] + names[: number % len(names)]:
            runs[name].append(measure(services[name], connections, per_round))
    return {name: sorted(found, key=lambda m: m.load.rps)[len(found) // 2] for name, found in runs.items()}


def ceiling(
    stack: Stack, seconds: int, style: str = "sdk", concurrency: int = 32, latency_ms: int = 0
) -> dict[str, float]:
    """The bare google-genai client (bench/ceiling.py in `style` sdk, docs or app) against the fake."""
    stack.set_fake_latency(latency_ms)
    command = [sys.executable, CEILING, "--url", stack.fake_url, "--concurrency", str(concurrency),
               "--seconds", str(seconds), "--style", style]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if done.returncode != 0:
        raise SystemExit(f"ceiling measurement failed: {done.stderr.strip()[-1000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
