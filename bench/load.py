"""Drive the service with wrk (the Lua script varies every question) and read back its figures."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA = str(Path(__file__).with_name("ask.lua"))


@dataclass(frozen=True)
class LoadResult:
    """What one wrk run measured: throughput, latency percentiles (ms) and every kind of error."""

    requests: int
    seconds: float
    ok: int
    errors: dict[str, int]
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        """Completed requests per second (any status)."""
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        """Non-2xx answers plus socket errors and timeouts."""
        return sum(self.errors.values())


def wrk_path() -> str:
    """The wrk binary, or a clear message naming the Debian package."""
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk not found: `apt-get install wrk` (scripts/setup.sh installs it)")
    return path


def run_wrk(url: str, connections: int, seconds: int, threads: int = 1, timeout_s: int = 10) -> LoadResult:
    """Run wrk against POST {url}/ask for `seconds` with `connections` kept busy (closed loop)."""
    command = [wrk_path(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout_s}s",
               "-s", LUA, url]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + timeout_s + 60, check=False)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout[-500:]}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    errors = {key: int(raw[key]) for key in ("s4xx", "s503", "s504", "s5xx", "connect", "read", "write", "timeout")}
    return LoadResult(
        requests=int(raw["requests"]),
        seconds=raw["duration_us"] / 1e6,
        ok=int(raw["ok"]),
        errors=errors,
        p50_ms=raw["p50_us"] / 1000,
        p95_ms=raw["p95_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
    )
