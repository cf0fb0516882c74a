"""scripts/cluster/cluster.py without a cluster: usage, refusals and their messages (issue #13).

The control plane itself runs in `task e2e:gitops` (tests/gitops_e2e); these run in the main suite.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[3]
CLUSTER_PY = REPO / "scripts" / "cluster" / "cluster.py"


def run(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """cluster.py with its own state directory (and extra environment)."""
    merged = {**os.environ, "MEDQA_CLUSTER_HOME": str(home), **env}
    return subprocess.run(
        [sys.executable, str(CLUSTER_PY), *args], env=merged, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture
def cluster_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """cluster.py imported as a module, its state in tmp_path."""
    monkeypatch.setenv("MEDQA_CLUSTER_HOME", str(tmp_path))
    spec = importlib.util.spec_from_file_location("medqa_cluster", CLUSTER_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_usage_is_exit_2(tmp_path: Path) -> None:
    """No command or an unknown one: the usage on stderr, exit 2."""
    for args in ((), ("frobnicate",)):
        done = run(*args, home=tmp_path)
        assert done.returncode == 2
        assert "cluster.py up" in done.stderr


def test_up_without_the_binaries_names_the_task_that_builds_them(tmp_path: Path) -> None:
    """An empty tool cache: one line naming the missing binary and `task cluster:tools`, exit 1."""
    done = run("up", home=tmp_path / "state", MEDQA_TOOLS_HOME=str(tmp_path / "empty-cache"))
    assert done.returncode == 1
    assert "etcd: not installed" in done.stderr and "task cluster:tools" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "state").exists()  # nothing half-made


def test_status_and_down_of_a_cluster_that_is_not_up(tmp_path: Path) -> None:
    """status says so and exits 1; down is a no-op that succeeds."""
    status = run("status", home=tmp_path)
    assert status.returncode == 1
    assert "not up" in status.stdout
    down = run("down", home=tmp_path)
    assert down.returncode == 0
    assert "nothing was running" in down.stdout


def test_argocd_refuses_to_start_where_other_interfaces_exist(tmp_path: Path) -> None:
    """The application controller's metrics port is 0.0.0.0: outside a loopback-only namespace, no start."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.fail("unshare and ip are needed (util-linux, iproute2: scripts/setup.sh installs them)")
    script = f"ip link add probe0 type veth peer name probe1 && exec {sys.executable} {CLUSTER_PY} argocd-up"
    done = subprocess.run(
        ["unshare", "--net", "sh", "-c", script],
        env={**os.environ, "MEDQA_CLUSTER_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "metrics port on 0.0.0.0" in done.stderr and "isolated" in done.stderr


def test_argocd_needs_the_control_plane(tmp_path: Path) -> None:
    """Inside a loopback-only namespace, argocd-up without `cluster:up` says what to run first."""
    done = run("isolated", "--", sys.executable, str(CLUSTER_PY), "argocd-up", home=tmp_path)
    assert done.returncode == 1
    assert "the control plane is not up" in done.stderr


def test_isolated_has_loopback_only_and_no_route_out(tmp_path: Path) -> None:
    """`isolated` runs a command where lo is the only interface, up, and nothing else is reachable."""
    probe = (
        "import socket, pathlib\n"
        "print(sorted(l.split(':')[0].strip() for l in pathlib.Path('/proc/net/dev').read_text().splitlines()[2:]))\n"
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); print('loopback ok')\n"
        "try:\n    socket.create_connection(('192.0.2.1', 443), timeout=3)\nexcept OSError as e:\n    print(e)\n"
    )
    done = run("isolated", "--", sys.executable, "-c", probe, home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:2] == ["['lo']", "loopback ok"]
    assert "unreachable" in done.stdout
    assert run("isolated", home=tmp_path).returncode == 1


def test_check_and_register_need_the_control_plane(tmp_path: Path) -> None:
    """Commands that talk to the API server say to start it, instead of a kubectl connection error."""
    for args in (("check",), ("register", "dev", "medqa.io/environment=dev")):
        done = run(*args, home=tmp_path)
        assert done.returncode == 1
        assert "the control plane is not up (`task cluster:up`)" in done.stderr


def test_register_usage_errors(tmp_path: Path) -> None:
    """register needs a name and LABEL=VALUE pairs."""
    for args in (("register",), ("register", "dev", "not-a-label")):
        done = run(*args, home=tmp_path)
        assert done.returncode == 1
        assert "usage: cluster.py register" in done.stderr


def test_check_of_a_broken_kustomization_is_one_line(tmp_path: Path, cluster_module: ModuleType) -> None:
    """A directory kustomize cannot build: exit 1 with kustomize's reason, no traceback (needs no cluster)."""
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "kustomization.yaml").write_text("resources:\n  - missing.yaml\n")
    with pytest.raises(cluster_module.ClusterError, match=r"kustomize build .*broken.*missing\.yaml"):
        cluster_module._kustomize(broken)


def test_a_component_that_exits_fails_the_wait_with_its_log(cluster_module: ModuleType) -> None:
    """wait_for stops at once when the process is gone and shows the end of its log."""
    state: dict[str, object] = {}
    cluster_module.home().mkdir(parents=True, exist_ok=True)
    cluster_module.start(state, "doomed", ["sh", "-c", "echo 'cannot bind: address in use'; exit 3"])
    with pytest.raises(cluster_module.ClusterError, match=r"doomed exited(.|\n)*cannot bind"):
        cluster_module.wait_for("doomed", lambda: False, timeout=30)


def test_a_component_that_never_gets_ready_times_out(cluster_module: ModuleType) -> None:
    """A process that runs but never answers fails the wait after the timeout, and is stopped."""
    state: dict[str, object] = {}
    cluster_module.home().mkdir(parents=True, exist_ok=True)
    cluster_module.start(state, "sleepy", ["sleep", "60"])
    with pytest.raises(cluster_module.ClusterError, match="sleepy not ready after 1 s"):
        cluster_module.wait_for("sleepy", lambda: False, timeout=1)
    assert cluster_module.stop(["sleepy"]) == ["sleepy"]


def test_listeners_are_read_from_proc_for_ipv4_and_ipv6(cluster_module: ModuleType) -> None:
    """The status command's listener table: this process's two sockets, with their addresses."""
    with socket.socket() as v4, socket.socket(socket.AF_INET6) as v6:
        v4.bind(("127.0.0.1", 0))
        v4.listen()
        v6.bind(("::1", 0))
        v6.listen()
        found = cluster_module.listeners({"me": os.getpid()})
        assert ("me", "127.0.0.1", v4.getsockname()[1]) in found
        assert ("me", "::1", v6.getsockname()[1]) in found
