"""The local control plane itself: loopback only, the AKS version, admission on, and the server-side checks."""

from __future__ import annotations

import json
import re
import shutil
import socket
from pathlib import Path

import pytest

from tests.gitops_e2e.conftest import REPO, Cluster

TERRAFORM_AKS = REPO / "platform" / "terraform" / "modules" / "aks" / "variables.tf"


def _listeners(cluster: Cluster) -> list[tuple[str, str, int]]:
    """(component, address, port) of every TCP listener, from `cluster.py status`."""
    lines = cluster.script("status").stdout.splitlines()
    found = []
    for line in lines:
        match = re.match(r"\s+listener (\S+)\s+(\S+):(\d+)$", line)
        if match:
            found.append((match[1], match[2], int(match[3])))
    return found


def test_every_control_plane_listener_is_on_loopback(cluster: Cluster) -> None:
    """etcd, the API server, controller-manager, scheduler and kwok listen on 127.0.0.1 and nowhere else."""
    found = _listeners(cluster)
    assert {name for name, _, _ in found} >= {"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"}
    assert all(host == "127.0.0.1" for _, host, _ in found), found


def test_nothing_beyond_loopback_is_reachable(cluster: Cluster) -> None:
    """The suite's network namespace has no route out: a connection to any other address fails at once."""
    with pytest.raises(OSError, match="unreachable"):
        socket.create_connection(("192.0.2.1", 443), timeout=3)


def test_the_api_server_is_the_version_terraform_runs_on_aks(cluster: Cluster) -> None:
    """Server version 1.34.x, the kubernetes_version of the AKS module."""
    minor = re.search(r'default\s*=\s*"1\.(\d+)"', TERRAFORM_AKS.read_text())
    assert minor is not None
    version = json.loads(cluster.kubectl("version", "-o", "json").stdout)["serverVersion"]
    assert version["gitVersion"].startswith(f"v1.{minor[1]}.")


def test_fake_nodes_are_ready_and_our_crds_are_installed(cluster: Cluster) -> None:
    """kwok keeps two nodes Ready; the CRDs our manifests use are established."""
    nodes = cluster.get("nodes")["items"]
    assert len(nodes) == 2
    for node in nodes:
        ready = next(c for c in node["status"]["conditions"] if c["type"] == "Ready")
        assert ready["status"] == "True"
    crds = {item["metadata"]["name"] for item in cluster.get("crd")["items"]}
    assert crds >= {
        "applications.argoproj.io",
        "applicationsets.argoproj.io",
        "appprojects.argoproj.io",
        "secretstores.external-secrets.io",
        "externalsecrets.external-secrets.io",
        "ciliumnetworkpolicies.cilium.io",
    }


def test_pod_security_admission_rejects_a_pod_outside_restricted(cluster: Cluster) -> None:
    """Admission is on: a namespace enforcing "restricted" refuses a pod with no security context."""
    namespace = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "psa-probe", "labels": {"pod-security.kubernetes.io/enforce": "restricted"}},
    }
    cluster.apply(namespace)
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "plain", "namespace": "psa-probe"},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]},
    }
    done = cluster.kubectl("create", "-f", "-", stdin=json.dumps(pod), check=False)
    assert done.returncode != 0
    assert 'violates PodSecurity "restricted' in done.stderr
    assert "runAsNonRoot" in done.stderr


def test_privileged_containers_are_refused_everywhere(cluster: Cluster) -> None:
    """--allow-privileged=false: even the default namespace (no Pod Security label) refuses one."""
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "privileged", "namespace": "default"},
        "spec": {"containers": [{"name": "c", "image": "busybox", "securityContext": {"privileged": True}}]},
    }
    done = cluster.kubectl("create", "-f", "-", stdin=json.dumps(pod), check=False)
    assert done.returncode != 0
    assert "privileged: Forbidden" in done.stderr


def test_every_overlay_and_the_argocd_objects_pass_a_server_side_dry_run(cluster: Cluster) -> None:
    """dev, staging and prod render, validate strictly and pass admission (Pod Security included), no warning."""
    done = cluster.script("check", check=False)
    assert done.returncode == 0, done.stderr
    for label in ("overlays/dev", "overlays/staging", "overlays/prod", "gitops/argocd"):
        assert re.search(rf"{label}: accepted", done.stdout), done.stdout


def _overlay_with(tmp_path: Path, patch: str) -> Path:
    """A Kustomize directory: the dev overlay (in a copy of gitops/kustomize) plus one patch of the Deployment."""
    shutil.copytree(REPO / "gitops" / "kustomize", tmp_path / "kustomize")
    directory = tmp_path / "kustomize" / "overlays" / "broken"
    directory.mkdir()
    (directory / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "resources:\n  - ../dev\n"
        f"patches:\n  - target:\n      kind: Deployment\n      name: medqa\n    patch: |-\n{patch}"
    )
    return directory


def test_a_pod_security_violation_fails_the_check(cluster: Cluster, tmp_path: Path) -> None:
    """A Deployment only draws a warning from Pod Security at dry-run; the check treats it as an error."""
    patch = (
        "      - op: replace\n"
        "        path: /spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation\n"
        "        value: true\n"
    )
    done = cluster.script("check", str(_overlay_with(tmp_path, patch)), check=False)
    assert done.returncode == 1
    assert "PodSecurity" in done.stderr and "allowPrivilegeEscalation" in done.stderr
    assert "FAILED" in done.stdout


def test_an_unknown_field_fails_the_check(cluster: Cluster, tmp_path: Path) -> None:
    """Strict server-side validation: a misspelt field is an error, not silently dropped."""
    patch = "      - op: add\n        path: /spec/template/spec/containers/0/imagePullPolicyy\n        value: Always\n"
    done = cluster.script("check", str(_overlay_with(tmp_path, patch)), check=False)
    assert done.returncode == 1
    assert "imagePullPolicyy" in done.stderr
