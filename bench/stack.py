"""The processes a benchmark run starts on loopback: PostgreSQL, the fake Gemini and the service."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from tests.plugins.postgres import LocalCluster, _bindir, free_port, wait_for_port

BIN = Path(sys.executable).parent
MEDQA = str(BIN / "medqa")
ROOT = Path(__file__).resolve().parent.parent
VARIANT_LAUNCHER = str(Path(__file__).with_name("serve_variant.py"))
# The peers of bench/peers/, each one process on one port, as MedQA runs in a pod.
PEERS: dict[str, Callable[[int], list[str]]] = {
    "fastapi": lambda port: [str(BIN / "uvicorn"), "bench.peers.fastapi_peer:app", "--host", "127.0.0.1",
                             "--port", str(port), "--no-access-log", "--log-level", "warning"],
    "seed": lambda port: [str(BIN / "gunicorn"), "--worker-class", "gthread", "--workers", "1", "--threads", "64",
                          "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "bench.peers.seed:app"],
}  # fmt: skip


def _http(method: str, url: str, body: dict[str, object] | None = None, timeout: float = 2.0) -> int:
    """One request with the standard library; returns the status (0 when nothing answered)."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"content-type": "application/json"}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 (loopback http)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (loopback http)
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


@dataclass
class Service:
    """A running service process and how long it took to its first 200 from /healthz."""

    url: str
    process: subprocess.Popen[bytes]
    startup_s: float

    def pids(self) -> list[int]:
        """The process and its descendants (gunicorn's worker is a child of its arbiter)."""
        found, queue = [], [self.process.pid]
        while queue:
            pid = queue.pop()
            found.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*/children"):
                queue += [int(child) for child in task.read_text().split()]
        return found

    def cpu_s(self) -> float:
        """User plus system CPU seconds the service's processes have used so far (from /proc)."""
        total = 0
        for pid in self.pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        """Resident set size of the service's processes now, in MB (from /proc)."""
        total = 0
        for pid in self.pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total / 1024


@dataclass
class Stack:
    """Everything one run started; `close()` stops all of it, in reverse order."""

    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="medqa-bench-")))
    exits: ExitStack = field(default_factory=ExitStack)
    db_url: str = ""
    fake_url: str = ""

    def start_database(self) -> None:
        """A throwaway PostgreSQL cluster on 127.0.0.1, migrated."""
        bindir = _bindir()
        if bindir is None:
            raise SystemExit("PostgreSQL server binaries not found: install Debian's `postgresql` package")
        cluster = LocalCluster(bindir)
        self.exits.callback(cluster.destroy)
        cluster.start()
        self.db_url = cluster.url()
        done = subprocess.run(
            [MEDQA, "migrate"], env=self.env(), capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            raise SystemExit(f"medqa migrate failed: {done.stderr.strip()}")

    def start_fake(self) -> None:
        """`medqa fake-gemini` in its own process."""
        port = free_port()
        self._spawn([MEDQA, "fake-gemini", "--port", str(port), "--latency-ms", "0"], "fake")
        wait_for_port(port)
        self.fake_url = f"http://127.0.0.1:{port}"

    def set_fake_latency(self, latency_ms: int) -> None:
        """Change the fake's fixed latency while it runs."""
        status = _http("PUT", f"{self.fake_url}/_fake/config", {"mode": "ok", "latency_ms": latency_ms})
        if status != 200:
            raise SystemExit(f"the fake refused its new configuration ({status})")

    def env(self, **extra: str) -> dict[str, str]:
        """The service's environment: the fake, the database, a limit no run reaches, quiet logs.

        Per second, not per minute: Litestar's limiter keeps (and decodes, per request) one timestamp per request
        in the window, and one client at 300 req/s would fill a minute with 18,000. A production client at its
        30/minute keeps at most 30; a second at bench rates keeps a few hundred.
        """
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MEDQA_", "GEMINI_", "GOOGLE_"))}
        env.update(
            GEMINI_API_KEY="bench-key", MEDQA_GEMINI_BASE_URL=self.fake_url, MEDQA_DATABASE_URL=self.db_url,
            MEDQA_ENV="test", MEDQA_RATE_LIMIT="1000000/second", MEDQA_LOG_LEVEL="warning", MEDQA_HOST="127.0.0.1",
        )  # fmt: skip
        env.update(extra)
        return env

    def start_service(self, name: str, variant: str = "", **extra: str) -> Service:
        """`medqa serve`, or a bench/serve_variant.py variant; waits for /healthz (60 s at most)."""
        command = [sys.executable, VARIANT_LAUNCHER, variant] if variant else [MEDQA, "serve"]
        return self.start_command(name, lambda _port: command, **extra)

    def start_peer(self, name: str) -> Service:
        """A peer of bench/peers/ (one process), on the same fake and database; waits for /healthz."""
        sqlite = str(self.workdir / f"{name}.sqlite3")
        return self.start_command(name, PEERS[name], SEED_SQLITE_PATH=sqlite, PYTHONPATH=str(ROOT))

    def start_command(self, name: str, command_for: Callable[[int], list[str]], **extra: str) -> Service:
        """Start `command_for(port)` with the service's environment; waits for /healthz (60 s at most)."""
        port = free_port()
        start = time.perf_counter()
        process = self._spawn(command_for(port), name, self.env(MEDQA_PORT=str(port), **extra))
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while _http("GET", f"{url}/healthz", timeout=1) != 200:
            if process.poll() is not None:
                log = (self.workdir / f"{name}.log").read_text(errors="replace")
                raise SystemExit(f"{name} exited with {process.returncode}:\n{log[-2000:]}")
            if time.monotonic() > deadline:
                raise SystemExit(f"{name} did not answer /healthz within 60 s")
            time.sleep(0.02)
        return Service(url, process, time.perf_counter() - start)

    def stop_service(self, service: Service) -> None:
        """Stop one service process now (SIGTERM, then SIGKILL after 15 s)."""
        _stop(service.process)

    def _spawn(self, command: list[str], name: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        with (self.workdir / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(command, env=env or self.env(), stdout=log, stderr=subprocess.STDOUT,
                                       cwd=self.workdir)  # fmt: skip
        self.exits.callback(_stop, process)
        return process

    def close(self) -> None:
        """Stop every process this run started and remove its files."""
        try:
            self.exits.close()
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
