"""The /metrics exposition: one process unchanged, several workers merged from PROMETHEUS_MULTIPROC_DIR."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.mmap_dict import MmapedDict, mmap_key

from app.system.metrics import MULTIPROC_ENV, Metrics, exposition, prepare_multiprocess_dir

ASKED = (["method", "route", "status"], ["POST", "/ask", "200"])


def write(path: Path, name: str, labels: tuple[list[str], list[str]], value: float) -> None:
    """One sample in a prometheus_client value file, as a worker writes it."""
    store = MmapedDict(str(path))  # type: ignore[no-untyped-call]
    store.write_value(mmap_key(name, name, labels[0], labels[1], "help"), value, 0.0)  # type: ignore[no-untyped-call]
    store.close()  # type: ignore[no-untyped-call]


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    command = [sys.executable, "-c", "import os; print(os.getpid())"]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=30)
    return int(done.stdout)


def test_one_process_exposes_its_own_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    metrics = Metrics()
    metrics.http_requests.labels(method="POST", route="/ask", status="200").inc()
    text = exposition(metrics).decode()
    assert 'medqa_http_requests_total{method="POST",route="/ask",status="200"} 1.0' in text
    assert "python_gc_objects_collected_total" in text and "process_cpu_seconds_total" in text


def test_workers_are_summed_and_dead_ones_leave_the_live_gauge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gone, alive = dead_pid(), os.getpid()
    write(tmp_path / f"counter_{gone}.db", "medqa_http_requests_total", ASKED, 3)
    write(tmp_path / f"counter_{alive}.db", "medqa_http_requests_total", ASKED, 4)
    for pid, inflight in ((gone, 5), (alive, 1)):
        write(tmp_path / f"gauge_livesum_{pid}.db", "medqa_inflight_requests", ([], []), inflight)
    monkeypatch.setenv(MULTIPROC_ENV, str(tmp_path))
    text = exposition(Metrics()).decode()
    assert 'medqa_http_requests_total{method="POST",route="/ask",status="200"} 7.0' in text  # both, dead included
    assert "medqa_inflight_requests 1.0" in text  # the live worker only
    assert not (tmp_path / f"gauge_livesum_{gone}.db").exists()
    assert "process_resident_memory_bytes" in text and "python_info" in text
    assert "python_gc_" not in text


def test_a_given_directory_is_wiped_of_value_files_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "counter_1.db").write_bytes(b"stale")
    (tmp_path / "keep.txt").write_text("not ours")
    monkeypatch.setenv(MULTIPROC_ENV, str(tmp_path))
    assert prepare_multiprocess_dir() == (tmp_path, False)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_without_a_directory_a_fresh_one_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MULTIPROC_ENV, "")  # empty counts as unset; monkeypatch restores the variable afterwards
    path, created = prepare_multiprocess_dir()
    try:
        assert created and path.is_dir() and os.environ[MULTIPROC_ENV] == str(path) and not list(path.iterdir())
    finally:
        path.rmdir()
