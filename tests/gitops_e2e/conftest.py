"""The GitOps release flow on a real control plane and a real Argo CD, all on loopback (issue #13).

`task e2e:gitops` runs this folder inside a network namespace whose only interface is loopback
(`scripts/cluster/cluster.py isolated`), so nothing here can reach any other address. The main test run
leaves the folder out (tests/conftest.py); it needs the `cluster` tool group (`task cluster:tools`).

The session starts its own control plane and Argo CD in a temporary state directory and stops them at the
end; their logs are copied to artifacts/gitops-e2e/ (ignored by Git) for a failed run to be read.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CLUSTER_PY = REPO / "scripts" / "cluster" / "cluster.py"
ARTIFACTS = REPO / "artifacts" / "gitops-e2e"


def only_loopback() -> bool:
    """True in a network namespace whose only interface is lo."""
    rows = Path("/proc/net/dev").read_text().splitlines()[2:]
    return [row.split(":")[0].strip() for row in rows] == ["lo"]


@dataclass
class Cluster:
    """The running control plane: kubectl against it, and the cluster.py commands."""

    home: Path
    env: dict[str, str]
    kubectl_bin: Path

    def script(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run scripts/cluster/cluster.py with this cluster's state directory."""
        done = subprocess.run(
            [sys.executable, str(CLUSTER_PY), *args], env=self.env, capture_output=True, text=True, check=False
        )
        if check and done.returncode != 0:
            pytest.fail(f"cluster.py {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done

    def kubectl(self, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        """The pinned kubectl against this cluster."""
        command = [str(self.kubectl_bin), "--kubeconfig", str(self.home / "kubeconfig"), *args]
        done = subprocess.run(command, input=stdin, capture_output=True, text=True, check=False)
        if check and done.returncode != 0:
            pytest.fail(f"kubectl {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
        return done

    def get(self, *args: str) -> Any:
        """`kubectl get ... -o json`, parsed; None when the object does not exist."""
        done = self.kubectl("get", *args, "-o", "json", check=False)
        if done.returncode != 0:
            if "NotFound" in done.stderr:
                return None
            pytest.fail(f"kubectl get {' '.join(args)}: {done.stderr.strip()}")
        return json.loads(done.stdout)

    def apply(self, objects: list[dict[str, Any]] | dict[str, Any]) -> None:
        """Server-side apply of objects given as dicts."""
        items = objects if isinstance(objects, list) else [objects]
        body = json.dumps({"apiVersion": "v1", "kind": "List", "items": items})
        self.kubectl("apply", "--server-side", "--field-manager=gitops-e2e", "-f", "-", stdin=body)


def wait_until(what: str, probe: Callable[[], Any], timeout: float, explain: Callable[[], str]) -> Any:
    """Poll probe() until it returns something truthy; fail with explain() after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(2)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{explain()}")


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory, tool: Callable[[str], Path]) -> Iterator[Cluster]:
    """A fresh control plane for the session (refuses to run outside an isolated network namespace)."""
    if not only_loopback():
        pytest.fail("run this suite through `task e2e:gitops`: it must run where loopback is the only interface")
    for name in ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", "kubectl", "argocd"):
        tool(name)  # a clear failure naming `task cluster:tools` when a binary is missing
    home = tmp_path_factory.mktemp("cluster")
    env = {**os.environ, "MEDQA_CLUSTER_HOME": str(home)}
    handle = Cluster(home=home, env=env, kubectl_bin=tool("kubectl"))
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    try:
        handle.script("up")
        yield handle
    finally:
        if (home / "logs").is_dir():
            shutil.copytree(home / "logs", ARTIFACTS / "logs")
        handle.script("down", check=False)


READY = {"type": "Ready", "status": "True", "reason": "SecretSynced", "message": "written by the e2e suite"}
# kind -> the status its controller would write, which Argo CD's built-in health checks wait for.
STATUSES = {
    # ingress-nginx writes its Service's load-balancer address; 192.0.2.10 is TEST-NET-1, never routed.
    "ingress": {"loadBalancer": {"ingress": [{"ip": "192.0.2.10"}]}},
    # External Secrets marks a store it can reach, and a secret it has synced, Ready.
    "secretstores.external-secrets.io": {"conditions": [{**READY, "reason": "Valid"}]},
    "externalsecrets.external-secrets.io": {"conditions": [READY]},
}


class StatusWriter(threading.Thread):
    """Plays the visible part of the controllers that do not run here: ingress-nginx and External Secrets.

    No nodes, no data plane, no Key Vault: nothing would fill the status that Argo CD's built-in health checks
    of Ingress, SecretStore and ExternalSecret wait for. This writes it through the status subresource, as a
    controller does, once per object.
    """

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(daemon=True)
        self.cluster = cluster
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(2):
            for kind, status in STATUSES.items():
                self.write(kind, status)

    def write(self, kind: str, status: dict[str, object]) -> None:
        found = self.cluster.kubectl("get", kind, "-A", "-o", "json", check=False)
        if found.returncode != 0:
            return
        for item in json.loads(found.stdout)["items"]:
            # Written already. Not `item.get("status")`: the API server gives every Ingress an empty
            # `status: {loadBalancer: {}}`, which is no address.
            current = item.get("status") or {}
            if all(current.get(key) for key in status):
                continue
            meta = item["metadata"]
            self.cluster.kubectl(
                "patch", kind, meta["name"], "-n", meta["namespace"], "--subresource=status",
                "--type=merge", "-p", json.dumps({"status": status}), check=False,
            )  # fmt: skip


@pytest.fixture(scope="session")
def argocd(cluster: Cluster) -> Iterator[Cluster]:
    """Redis and Argo CD's repo-server and controllers as local processes against the control plane."""
    cluster.script("argocd-up")
    writer = StatusWriter(cluster)
    writer.start()
    try:
        yield cluster
    finally:
        writer.stopping.set()
        cluster.script("argocd-down", check=False)
