"""`medqa serve` with MEDQA_WORKERS=2 on SQLite: one socket, two workers, /metrics merged across them."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client.mmap_dict import MmapedDict, mmap_key
from prometheus_client.multiprocess import MultiProcessCollector

from tests.e2e.conftest import Service, base_env, run_medqa, service_env, start_service
from tests.plugins.gemini import FakeGeminiHandle

pytestmark = [pytest.mark.e2e]
QUESTION = {"question": "What is a normal resting heart rate for adults?"}
ASKED = 'medqa_http_requests_total{method="POST",route="/ask",status="200"}'
STALE = 1000.0  # what a stale file from an earlier run would add, were the directory not wiped


def scrape(service: Service) -> dict[str, float]:
    """Every unlabelled-or-labelled sample of /metrics, by its full name."""
    text = httpx.get(f"{service.url}/metrics", timeout=5).text
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line[:1] != "#"}


def children(pid: int) -> list[int]:
    """The uvicorn workers under `pid`, from /proc (multiprocessing's resource tracker left out)."""
    found = [int(c) for task in Path(f"/proc/{pid}/task").glob("*/children") for c in task.read_text().split()]
    return [child for child in found if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()]


def asked_per_worker(metrics_dir: Path) -> dict[int, float]:
    """POST /ask 200s counted by each worker, read from its own counter file."""
    counts = {}
    for file in metrics_dir.glob("counter_*.db"):
        samples = [s for m in MultiProcessCollector.merge([str(file)]) for s in m.samples]  # type: ignore[no-untyped-call]
        counts[int(file.stem.split("_")[1])] = sum(
            s.value for s in samples if s.name == "medqa_http_requests_total" and s.labels.get("route") == "/ask"
        )
    return counts


def seed_stale_file(metrics_dir: Path) -> None:
    """A counter file left by a process of an earlier run (an emptyDir outlives a container restart)."""
    metrics_dir.mkdir()
    key = mmap_key("medqa_http_requests_total", "medqa_http_requests_total", ["method", "route", "status"],
                   ["POST", "/ask", "200"], "HTTP requests by route template and status.")  # fmt: skip
    stale = MmapedDict(str(metrics_dir / "counter_999999.db"))  # type: ignore[no-untyped-call]
    stale.write_value(key, STALE, 0.0)  # type: ignore[no-untyped-call]
    stale.close()  # type: ignore[no-untyped-call]


@pytest.fixture(scope="module")
def workers(fake_process: FakeGeminiHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, Path]]:
    """Two workers on a fresh SQLite file (the supervisor migrates it once), metrics in a given directory."""
    root = tmp_path_factory.mktemp("workers")
    metrics_dir = root / "metrics"
    seed_stale_file(metrics_dir)
    env = service_env(fake_process.url, f"sqlite:///{root / 'medqa.sqlite'}", MEDQA_AUTO_MIGRATE="true",
                      MEDQA_WORKERS="2", PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
                      MEDQA_RATE_LIMIT="10000/minute")  # fmt: skip
    for service in start_service(root, **env):
        yield service, metrics_dir


def test_counters_add_up_across_workers(workers: tuple[Service, Path]) -> None:
    service, metrics_dir = workers
    assert not (metrics_dir / "counter_999999.db").exists()  # wiped at start
    assert len(children(service.process.pid)) == 2
    sent = 0
    with ThreadPoolExecutor(8) as pool:
        for _ in range(20):  # until both workers have answered (the kernel picks who accepts)
            statuses = list(pool.map(lambda _: httpx.post(f"{service.url}/ask", json=QUESTION, timeout=15).status_code,
                                     range(16)))  # fmt: skip
            assert statuses == [200] * 16
            sent += 16
            if sum(1 for count in asked_per_worker(metrics_dir).values() if count) >= 2:
                break
    per_worker = asked_per_worker(metrics_dir)
    assert len([c for c in per_worker.values() if c]) == 2, per_worker
    scraped = scrape(service)
    assert scraped[ASKED] == sent == sum(per_worker.values())
    assert scraped['medqa_http_request_duration_seconds_count{method="POST",route="/ask"}'] == sent
    assert scraped['medqa_triage_total{level="routine"}'] == sent
    assert scraped["medqa_inflight_requests"] == 1  # the scrape itself, summed over the live workers
    assert scraped["process_resident_memory_bytes"] > 0 and scraped["process_cpu_seconds_total"] > 0
    assert not any(name.startswith("python_gc_") for name in scraped)  # per process: not exported with workers


def test_a_dead_worker_is_replaced_and_its_counts_kept(workers: tuple[Service, Path]) -> None:
    service, metrics_dir = workers
    before = scrape(service)
    victim = children(service.process.pid)[0]
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while victim in children(service.process.pid) or len(children(service.process.pid)) < 2:
        assert time.monotonic() < deadline, "uvicorn did not replace the killed worker"
        time.sleep(0.2)
    after = scrape(service)  # the scrape drops the dead worker's live gauge file
    while after["process_start_time_seconds"] == before["process_start_time_seconds"]:
        assert time.monotonic() < deadline, "the replacement worker never appeared in process_start_time_seconds"
        time.sleep(0.2)
        after = scrape(service)
    assert after[ASKED] == before[ASKED]  # the dead worker's answers still count
    assert after["medqa_inflight_requests"] == 1
    assert not list(metrics_dir.glob(f"gauge_live*_{victim}.db"))


def test_the_single_process_default_is_unchanged(fake_process: FakeGeminiHandle, tmp_path: Path) -> None:
    env = service_env(fake_process.url, f"sqlite:///{tmp_path / 'medqa.sqlite'}", MEDQA_AUTO_MIGRATE="true")
    for service in start_service(tmp_path, **env):
        assert children(service.process.pid) == []
        assert httpx.post(f"{service.url}/ask", json=QUESTION, timeout=15).status_code == 200
        scraped = scrape(service)
        assert scraped[ASKED] == 1 and 'python_gc_objects_collected_total{generation="0"}' in scraped
        assert scraped["medqa_inflight_requests"] == 1 and scraped["process_cpu_seconds_total"] > 0


def test_a_multiprocess_dir_without_workers_is_refused(tmp_path: Path) -> None:
    env = base_env(PROMETHEUS_MULTIPROC_DIR=str(tmp_path), MEDQA_DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite'}")
    result = run_medqa("serve", env=env, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "medqa serve: PROMETHEUS_MULTIPROC_DIR is set, but MEDQA_WORKERS is 1: unset it (serve manages it)"
    )
