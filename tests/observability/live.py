"""A live stack on loopback: the fake Gemini, `medqa serve` on SQLite, and a Prometheus scraping it every second."""

from __future__ import annotations

import contextlib
import math
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from observability import scale_rules

MEDQA = str(Path(sys.executable).parent / "medqa")
NAMESPACE = "medqa-e2e"
JOB = "medqa"
POD = "medqa-e2e-0"
# Every rule duration is divided by this, so "5m for 5m" becomes "5s for 5s" (same rule source).
TIME_SCALE = 60


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], bool], what: str, timeout: float, log: Path | None = None) -> None:
    """Poll `check` until it is true, or fail naming `what` with the end of a log file."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if check():
                return
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise TimeoutError(f"{what} not reached within {timeout}s\n{tail}")


@dataclass
class Process:
    """A child process with its log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        """Terminate, then kill if it does not exit in time."""
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)


def spawn(name: str, args: list[str], workdir: Path, env: dict[str, str] | None = None) -> Process:
    """Start a process writing stdout and stderr to workdir/<name>.log."""
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(args, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Process(name, popen, log)


def child_env(**extra: str) -> dict[str, str]:
    """A clean environment for the service: no real Gemini key or MedQA settings leak in."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEDQA_", "GEMINI_", "GOOGLE_"))}
    env.update({"MEDQA_ENV": "test", "MEDQA_LOG_FORMAT": "json", **extra})
    return env


def prometheus_config(workdir: Path, target_port: int) -> Path:
    """Config and time-scaled rules for a Prometheus that scrapes the service every second."""
    rules = workdir / "medqa.rules.yml"
    rules.write_text(scale_rules.render(scale=TIME_SCALE))
    config = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(rules)],
        "scrape_configs": [
            {
                "job_name": JOB,
                # The labels the ServiceMonitor gives in the cluster (namespace, pod) are set by hand here.
                "static_configs": [
                    {"targets": [f"127.0.0.1:{target_port}"], "labels": {"namespace": NAMESPACE, "pod": POD}}
                ],
            }
        ],
    }
    path = workdir / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


@dataclass
class Stack:
    """The running processes and HTTP clients for them."""

    workdir: Path
    service_url: str
    fake_url: str
    prometheus_url: str
    processes: list[Process] = field(default_factory=list)
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))

    def ask(self, question: str) -> int:
        """POST /ask and return the status code."""
        response = self.client.post(f"{self.service_url}/ask", json={"question": question, "conversation_id": None})
        return response.status_code

    def set_mode(self, mode: str) -> None:
        """Switch the fake Gemini's behaviour."""
        self.client.put(f"{self.fake_url}/_fake/config", json={"mode": mode}).raise_for_status()

    def query(self, expr: str) -> list[dict[str, Any]]:
        """An instant query through Prometheus' HTTP API; raises on a PromQL error."""
        response = self.client.get(f"{self.prometheus_url}/api/v1/query", params={"query": expr})
        body = response.json()
        if body.get("status") != "success":
            raise AssertionError(f"query failed: {expr}\n{body}")
        return list(body["data"]["result"])

    def api(self, path: str, **params: str) -> Any:
        """The `data` of a Prometheus API response."""
        body = self.client.get(f"{self.prometheus_url}{path}", params=params).json()
        assert body["status"] == "success", body
        return body["data"]

    def alerts(self) -> dict[str, str]:
        """Alert name -> state (pending/firing) of the active alerts."""
        return {a["labels"]["alertname"]: a["state"] for a in self.api("/api/v1/alerts")["alerts"]}

    def metrics_text(self) -> str:
        """The service's own /metrics exposition."""
        return self.client.get(f"{self.service_url}/metrics").text

    def log(self, name: str) -> str:
        """A process log."""
        return (self.workdir / f"{name}.log").read_text(errors="replace")


def has_finite_value(result: list[dict[str, Any]]) -> bool:
    """True when at least one returned sample is a real number (not NaN or ±Inf)."""
    return any(math.isfinite(float(item["value"][1])) for item in result)


@contextlib.contextmanager
def running_stack(workdir: Path, prometheus: Path) -> Iterator[Stack]:
    """Start fake Gemini, the service and Prometheus; stop all three afterwards."""
    fake_port, service_port, prom_port = free_port(), free_port(), free_port()
    stack = Stack(
        workdir, f"http://127.0.0.1:{service_port}", f"http://127.0.0.1:{fake_port}", f"http://127.0.0.1:{prom_port}"
    )
    try:
        fake = spawn("fake-gemini", [MEDQA, "fake-gemini", "--port", str(fake_port)], workdir, child_env())
        stack.processes.append(fake)
        env = child_env(
            MEDQA_HOST="127.0.0.1",
            MEDQA_PORT=str(service_port),
            GEMINI_API_KEY="test-key-not-real",
            MEDQA_GEMINI_BASE_URL=stack.fake_url,
            MEDQA_GEMINI_TIMEOUT_S="1",
            MEDQA_GEMINI_MAX_RETRIES="0",
            # The traffic script sends many questions and many failures on purpose: neither the per-client
            # rate limit nor the circuit breaker may turn them into something else.
            MEDQA_RATE_LIMIT="100000/minute",
            MEDQA_BREAKER_THRESHOLD="1000",
        )
        stack.processes.append(spawn("serve", [MEDQA, "serve"], workdir, env))
        config = prometheus_config(workdir, service_port)
        args = [
            str(prometheus),
            f"--config.file={config}",
            f"--storage.tsdb.path={workdir / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
        ]
        stack.processes.append(spawn("prometheus", args, workdir))
        wait_until(
            lambda: stack.client.get(f"{stack.fake_url}/_fake/stats").status_code == 200, "fake Gemini up", 30, fake.log
        )
        wait_until(
            lambda: stack.client.get(f"{stack.service_url}/readyz").status_code == 200,
            "medqa ready",
            60,
            workdir / "serve.log",
        )
        created = subprocess.run(
            [MEDQA, "apikey", "create", "--name", "observability", "--scope", "read"],
            cwd=workdir, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        stack.client.headers["Authorization"] = f"Bearer {created.stdout.strip()}"
        wait_until(
            lambda: stack.client.get(f"{stack.prometheus_url}/-/ready").status_code == 200,
            "prometheus ready",
            60,
            workdir / "prometheus.log",
        )
        wait_until(lambda: bool(stack.query(f'up{{job="{JOB}"}} == 1')), "first scrape", 30, workdir / "prometheus.log")
        yield stack
    finally:
        stack.client.close()
        for process in reversed(stack.processes):
            process.stop()
