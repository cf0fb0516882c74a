"""The benchmark script runs end to end in quick mode and prints its figures (never asserts timings)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_quick_scenario_one_prints_the_figures() -> None:
    """`bench/run.py --quick --only 1` starts everything, peers included, prints scenario 1 and the ratios."""
    if shutil.which("wrk") is None:
        pytest.fail("wrk not found: install Debian's `wrk` package (scripts/setup.sh does)")
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--only", "1"],
        capture_output=True, text=True, timeout=180, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    for figure in ("start-up to first 200 from /healthz", "bare google-genai client", "1. instant model",
                   "req/s", "p99", "errors", "serve / bare-client ceiling", "load average"):  # fmt: skip
        assert figure in out, out
    for peer in ("fastapi", "seed"):  # both peers answered, and their ratio to the service is printed
        assert f"1. instant model c=16 {peer} " in out and f"serve vs {peer}: " in out, out
        row = next(line for line in out.splitlines() if line.startswith(f"1. instant model c=16 {peer} "))
        assert "errors 0" in row and " 0.00 ms/req" not in row, row  # the peer's own CPU is counted
    assert "2. model 300 ms" not in out  # only the scenario asked for
