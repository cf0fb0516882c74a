"""The used-by flow "Argo CD sync for releases": a release commit becomes a rollout, its revert a rollback,
and a release whose migration fails stops before the Deployment.

The repository is served from a bare Git remote on disk (file://). A first commit in that throwaway remote
adds `e2e-bootstrap/`, a Kustomize directory that lists the committed gitops/argocd objects and points
their repository URL at the remote: the test-only patch; the committed objects are not edited. The add-on
Applications are left out (their Helm charts live on the internet). The suite then applies the root
Application, AppProjects and ApplicationSet from that directory and registers the control plane as the
`dev` cluster, as the AKS bootstrap does; from there on Argo CD alone deploys from Git.

What cannot turn Healthy without real nodes, and how it is judged here:
- Pods: kwok marks them Running and Ready (no container runs; images are never pulled, probes never sent;
  the `medqa-secrets` Secret External Secrets would write is never needed), and moves the migration Job's
  pods to Succeeded, so Deployment, ReplicaSet and Job health are Argo CD's own checks.
- Ingress, SecretStore, ExternalSecret: Argo CD waits for the status that only ingress-nginx and External
  Secrets write; the suite writes it in their place (conftest.StatusWriter).
- HorizontalPodAutoscaler: without metrics-server its ScalingActive condition is False; the local Argo CD
  judges it by AbleToScale (scripts/cluster/argocd-local.yaml).
- Nothing is a LoadBalancer Service (the Service is ClusterIP), so nothing waits for a cloud load balancer.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.gitops_e2e.conftest import ARTIFACTS, REPO, Cluster, wait_until

RELEASE_PY = REPO / "scripts" / "release.py"
IMAGE = "crmedqasharedweu.azurecr.io/medqa"
NEW_DIGEST = "sha256:" + "5e" * 32
FAILING = "sha256:" + "fa11" * 16
# The repository as the committed objects name it; the suite points every occurrence at its local remote.
GITHUB = "https://github.com/example-org/medqa.git"
# Add-ons and their secrets need the operators, which this control plane does not run.
LEFT_OUT = ("addons/", "projects/platform-addons.yaml", "secrets/")


def git(cwd: Path, *args: str) -> str:
    """Run git with a fixed identity; return its stdout."""
    command = ["git", "-c", "user.name=medqa-e2e", "-c", "user.email=e2e@medqa.invalid", *args]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


@dataclass
class Remote:
    """The throwaway Git remote Argo CD reads, and a working clone that pushes to it (the CI runner's part)."""

    url: str
    work: Path

    def push(self, message: str) -> str:
        """Commit everything staged or changed, push to main, return the new commit."""
        git(self.work, "commit", "--quiet", "-a", "-m", message)
        git(self.work, "push", "--quiet", "origin", "HEAD:main")
        return git(self.work, "rev-parse", "HEAD")


def _pointers(node: Any, value: str, at: str = "") -> Iterator[str]:
    """The JSON pointer of every string in node equal to value."""
    if node == value:
        yield at
    elif isinstance(node, dict):
        for key, child in node.items():
            yield from _pointers(child, value, f"{at}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _pointers(child, value, f"{at}/{index}")


def _bootstrap_kustomization(work: Path, url: str) -> str:
    """The test-only patch: the committed Argo CD objects, every reference to this repository pointed at the
    remote (sources, git generators, project source lists: found by value, so a new one cannot be missed)."""
    root = work / "gitops" / "argocd"
    files = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.yaml")
        if not str(path.relative_to(root)).startswith(LEFT_OUT)
    )
    patches = []
    for name in files:
        for document in yaml.safe_load_all((root / name).read_text()):
            if not document:
                continue
            ops = [f"      - {{op: replace, path: '{pointer}', value: '{url}'}}\n" for pointer in
                   _pointers(document, GITHUB)]  # fmt: skip
            if document["kind"] == "Application" and document["metadata"]["name"] == "root":
                ops += [
                    "      - {op: replace, path: /spec/source/path, value: e2e-bootstrap}\n",
                    "      - {op: remove, path: /spec/source/directory}\n",
                ]
            if ops:
                target = f"{{kind: {document['kind']}, name: {document['metadata']['name']}}}"
                patches.append(f"  - target: {target}\n    patch: |-\n{''.join(ops)}")
    resources = "".join(f"  - ../gitops/argocd/{name}\n" for name in files)
    return (
        "# Test-only (tests/gitops_e2e): the committed gitops/argocd objects, pointed at a local remote.\n"
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        f"resources:\n{resources}"
        f"patches:\n{''.join(patches)}"
    )


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Remote:
    """A bare remote holding this repository's HEAD as main, plus the bootstrap commit."""
    root = tmp_path_factory.mktemp("git")
    bare = root / "medqa.git"
    git(root, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    git(REPO, "push", "--quiet", str(bare), "HEAD:refs/heads/main")
    work = root / "work"
    git(root, "clone", "--quiet", str(bare), str(work))
    url = f"file://{bare}"
    (work / "e2e-bootstrap").mkdir()
    (work / "e2e-bootstrap" / "kustomization.yaml").write_text(_bootstrap_kustomization(work, url))
    git(work, "add", "e2e-bootstrap")
    handle = Remote(url=url, work=work)
    handle.push("test: bootstrap the local Argo CD from this remote")
    return handle


def app(cluster: Cluster, name: str) -> dict[str, Any] | None:
    """An Argo CD Application, or None."""
    return cluster.get("application", name, "-n", "argocd")


def explain(cluster: Cluster, name: str) -> str:
    """What the Application says about itself: sync, health, operation, conditions, unhealthy resources."""
    found = app(cluster, name)
    if found is None:
        apps = cluster.get("applications", "-n", "argocd")
        names = [item["metadata"]["name"] for item in apps["items"]] if apps else []
        return f"Application {name} does not exist; Applications: {names}"
    status = found.get("status", {})
    summary = {
        "sync": status.get("sync", {}).get("status"),
        "revision": status.get("sync", {}).get("revision"),
        "health": status.get("health", {}),
        "operation": {k: status.get("operationState", {}).get(k) for k in ("phase", "message")},
        "conditions": status.get("conditions"),
        "resources": [
            {k: r.get(k) for k in ("kind", "name", "status", "health")}
            for r in status.get("resources", [])
            if r.get("status") != "Synced" or r.get("health", {}).get("status", "Healthy") != "Healthy"
        ],
    }
    return json.dumps(summary, indent=2)


def synced_and_healthy(cluster: Cluster, name: str, revision: str) -> dict[str, Any] | None:
    """The Application when it is Synced to revision, Healthy and its last operation succeeded."""
    found = app(cluster, name)
    if found is None:
        return None
    status = found.get("status", {})
    operation = status.get("operationState", {})
    ok = (
        status.get("sync", {}).get("status") == "Synced"
        and status.get("sync", {}).get("revision") == revision
        and status.get("health", {}).get("status") == "Healthy"
        and operation.get("phase") == "Succeeded"
        and operation.get("syncResult", {}).get("revision") == revision
    )
    return found if ok else None


def refresh(cluster: Cluster, name: str) -> None:
    """Ask Argo CD to look at Git now instead of at its next poll (what the GitHub webhook does on AKS)."""
    cluster.kubectl("annotate", "application", name, "-n", "argocd", "argocd.argoproj.io/refresh=hard", "--overwrite")


@dataclass
class Rollout:
    """What the medqa namespace runs: the Deployment's image, its active ReplicaSet and pods, the Job."""

    image: str
    replicaset: str
    replicaset_image: str
    pods_created: list[str]
    job_uid: str
    job_image: str
    job_completed: str


def record(step: str, revision: str, state: Rollout) -> None:
    """Print one line per step (`task e2e:gitops` shows it) and keep it in artifacts/gitops-e2e/."""
    line = (
        f"{step:9} commit {revision[:12]}  ReplicaSet {state.replicaset} ({state.replicaset_image.split('@')[1][:19]}…)"
        f"  migration Job done {state.job_completed}, first pod {state.pods_created[0]}"
    )
    print(line)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with (ARTIFACTS / "release-flow.txt").open("a") as handle:
        handle.write(line + "\n")


def rollout(cluster: Cluster) -> Rollout:
    """Read the current rollout (the Deployment must be complete)."""
    deployment = cluster.get("deployment", "medqa", "-n", "medqa")
    sets = cluster.get("replicasets", "-n", "medqa", "-l", "app.kubernetes.io/component=api")["items"]
    active = [rs for rs in sets if rs["spec"].get("replicas", 0) > 0]
    assert len(active) == 1, [(rs["metadata"]["name"], rs["spec"].get("replicas")) for rs in sets]
    replicaset = active[0]
    template_hash = replicaset["metadata"]["labels"]["pod-template-hash"]
    pods = cluster.get("pods", "-n", "medqa", "-l", f"pod-template-hash={template_hash}")["items"]
    live = [p for p in pods if "deletionTimestamp" not in p["metadata"]]
    assert live and all(p["status"].get("phase") == "Running" for p in live)
    job = cluster.get("job", "medqa-migrate", "-n", "medqa")
    complete = [c for c in job["status"].get("conditions", []) if c["type"] == "Complete" and c["status"] == "True"]
    assert complete, job["status"]
    return Rollout(
        image=deployment["spec"]["template"]["spec"]["containers"][0]["image"],
        replicaset=replicaset["metadata"]["name"],
        replicaset_image=replicaset["spec"]["template"]["spec"]["containers"][0]["image"],
        pods_created=sorted(p["metadata"]["creationTimestamp"] for p in live),
        job_uid=job["metadata"]["uid"],
        job_image=job["spec"]["template"]["spec"]["containers"][0]["image"],
        job_completed=job["status"]["completionTime"],
    )


def rolled_out(cluster: Cluster, image: str) -> Rollout | None:
    """The rollout once the Deployment runs `image` on every ready pod and no old pod is left."""
    deployment = cluster.get("deployment", "medqa", "-n", "medqa")
    if deployment is None or deployment["spec"]["template"]["spec"]["containers"][0]["image"] != image:
        return None
    status, spec = deployment.get("status", {}), deployment["spec"]
    done = (
        status.get("observedGeneration") == deployment["metadata"]["generation"]
        and status.get("updatedReplicas") == spec["replicas"] == status.get("readyReplicas")
        and status.get("replicas") == spec["replicas"]
    )
    return rollout(cluster) if done else None


@dataclass
class Delivered:
    """The state after the first sync: the remote, and what dev ran before any release."""

    remote: Remote
    cluster: Cluster
    first: Rollout
    bootstrap_revision: str
    released: Rollout | None = None
    failing: Rollout | None = None


@pytest.fixture(scope="module")
def delivered(argocd: Cluster, remote: Remote, tool: Any) -> Delivered:
    """Bootstrap Argo CD from the remote and wait until medqa-dev is Synced and Healthy."""
    cluster = argocd
    cluster.script("register", "dev", "medqa.io/environment=dev", "medqa.io/overlay=dev")
    rendered = subprocess.run(
        [str(tool("kustomize")), "build", "--load-restrictor", "LoadRestrictionsNone", "e2e-bootstrap"],
        cwd=remote.work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cluster.kubectl("apply", "--server-side", "--field-manager=gitops-e2e", "-f", "-", stdin=rendered)
    revision = git(remote.work, "rev-parse", "HEAD")
    wait_until("root to be Synced and Healthy", lambda: synced_and_healthy(cluster, "root", revision), 300,
               lambda: explain(cluster, "root"))  # fmt: skip
    wait_until("medqa-dev to be Synced and Healthy", lambda: synced_and_healthy(cluster, "medqa-dev", revision), 420,
               lambda: explain(cluster, "medqa-dev"))  # fmt: skip
    return Delivered(remote=remote, cluster=cluster, first=rollout(cluster), bootstrap_revision=revision)


def test_dev_is_synced_and_healthy_from_the_remote(delivered: Delivered) -> None:
    """The ApplicationSet made medqa-dev for the registered cluster; it runs the placeholder digest."""
    cluster, first = delivered.cluster, delivered.first
    found = app(cluster, "medqa-dev")
    assert found is not None
    assert found["spec"]["source"]["repoURL"] == delivered.remote.url
    assert found["spec"]["destination"]["name"] == "dev"
    placeholder = f"{IMAGE}@sha256:{'0' * 64}"
    assert first.image == first.replicaset_image == first.job_image == placeholder
    # The migration Job finished before the first API pod was created (sync wave -1 before wave 0).
    assert first.job_completed <= first.pods_created[0]
    record("bootstrap", delivered.bootstrap_revision, first)
    namespace = cluster.get("namespace", "medqa")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    # Only the application controller's metrics port is not bound to 127.0.0.1 (0.0.0.0, hard-coded), and
    # in this namespace 0.0.0.0 is loopback: there is no other interface.
    lines = cluster.script("status").stdout.splitlines()
    wide = [line for line in lines if "listener" in line and "127.0.0.1:" not in line]
    assert all("argocd-application-controller" in line for line in wide), wide


def test_a_release_commit_rolls_out_a_new_replicaset(delivered: Delivered) -> None:
    """The release workflow's commit (release.py bump) makes Argo CD migrate, then roll the new digest."""
    cluster, remote, before = delivered.cluster, delivered.remote, delivered.first
    bump = [sys.executable, str(RELEASE_PY), "--root", str(remote.work), "bump", "--env", "dev", "--digest", NEW_DIGEST]
    subprocess.run(bump, check=True, capture_output=True, text=True)
    revision = remote.push(f"release: dev runs {NEW_DIGEST}")
    refresh(cluster, "medqa-dev")
    image = f"{IMAGE}@{NEW_DIGEST}"
    after: Rollout = wait_until("the new digest to roll out", lambda: rolled_out(cluster, image), 300,
                                lambda: explain(cluster, "medqa-dev"))  # fmt: skip
    wait_until("medqa-dev to be Synced and Healthy at the release commit",
               lambda: synced_and_healthy(cluster, "medqa-dev", revision), 300,
               lambda: explain(cluster, "medqa-dev"))  # fmt: skip
    assert after.replicaset != before.replicaset
    assert after.replicaset_image == image
    # The migration Job was replaced (its template is immutable), ran the new image, and completed before
    # any pod of the new ReplicaSet was created.
    assert after.job_uid != before.job_uid
    assert after.job_image == image
    assert after.job_completed <= after.pods_created[0]
    record("release", revision, after)
    delivered.released = after


def test_reverting_the_release_commit_rolls_back(delivered: Delivered) -> None:
    """`git revert` of the release commit brings the previous ReplicaSet back, after the migration Job."""
    cluster, remote, before = delivered.cluster, delivered.remote, delivered.first
    released = delivered.released
    assert released is not None, "runs after test_a_release_commit_rolls_out_a_new_replicaset"
    git(remote.work, "revert", "--no-edit", "HEAD")
    git(remote.work, "push", "--quiet", "origin", "HEAD:main")
    revision = git(remote.work, "rev-parse", "HEAD")
    refresh(cluster, "medqa-dev")
    back: Rollout = wait_until("the previous digest to roll back", lambda: rolled_out(cluster, before.image), 300,
                               lambda: explain(cluster, "medqa-dev"))  # fmt: skip
    wait_until("medqa-dev to be Synced and Healthy at the revert",
               lambda: synced_and_healthy(cluster, "medqa-dev", revision), 300,
               lambda: explain(cluster, "medqa-dev"))  # fmt: skip
    # A rollback, not a third rollout: the Deployment scaled the first ReplicaSet back up.
    assert back.replicaset == before.replicaset
    assert back.replicaset != released.replicaset
    assert back.job_uid not in (before.job_uid, released.job_uid)
    assert back.job_image == before.image
    assert back.job_completed <= back.pods_created[0]
    assert back.pods_created[0] > released.pods_created[-1]
    record("revert", revision, back)


def test_a_release_whose_migration_fails_never_reaches_the_api_pods(delivered: Delivered) -> None:
    """The migration Job gates the rollout: when it fails, the sync fails, and so does every retry.

    The digest sha256:fa11… is the one kwok runs as a failing migration (scripts/cluster/kwok-stages.yaml).
    The suite waits for the second automatic retry to start, so the first retry has run in full: with the
    earlier ApplyOutOfSyncOnly design that retry skipped the failed Job and rolled the Deployment out.
    Leaves dev on the failed release, as on-call finds it (the next test is on-call).
    """
    cluster, remote = delivered.cluster, delivered.remote
    serving = rollout(cluster)
    bump = [sys.executable, str(RELEASE_PY), "--root", str(remote.work), "bump", "--env", "dev", "--digest", FAILING]
    subprocess.run(bump, check=True, capture_output=True, text=True)
    revision = remote.push(f"release: dev runs {FAILING}")
    refresh(cluster, "medqa-dev")
    image = f"{IMAGE}@{FAILING}"

    def retried_after_the_failed_migration() -> dict[str, Any] | None:
        job = cluster.get("job", "medqa-migrate", "-n", "medqa")
        if job is None or job["spec"]["template"]["spec"]["containers"][0]["image"] != image:
            return None
        failed = any(c["type"] == "Failed" and c["status"] == "True" for c in job["status"].get("conditions", []))
        status = (app(cluster, "medqa-dev") or {}).get("status", {})
        operation = status.get("operationState", {})
        ok = (
            failed
            and operation.get("operation", {}).get("sync", {}).get("revision") == revision
            and operation.get("retryCount", 0) >= 2
        )
        return status if ok else None

    status = wait_until("the second retry of the failing release", retried_after_the_failed_migration, 300,
                        lambda: explain(cluster, "medqa-dev"))  # fmt: skip
    assert status["operationState"]["phase"] != "Succeeded"
    assert status["health"]["status"] == "Degraded"
    # Nothing of the failing release reached the Deployment or any API pod.
    assert rollout_unchanged(cluster, serving, image)
    record("failing", revision, serving)
    delivered.failing = serving


def test_on_call_terminates_the_failing_sync_and_reverts(delivered: Delivered) -> None:
    """gitops/README.md, "Roll back": terminate the running operation, revert; dev is Synced and Healthy again."""
    cluster, remote, serving = delivered.cluster, delivered.remote, delivered.failing
    assert serving is not None, "runs after test_a_release_whose_migration_fails_never_reaches_the_api_pods"
    # What `argocd app terminate-op medqa-dev` does through the Argo CD API server (not run here).
    terminate = json.dumps({"status": {"operationState": {"phase": "Terminating"}}})
    cluster.kubectl("patch", "application", "medqa-dev", "-n", "argocd", "--type=merge", "-p", terminate)
    git(remote.work, "revert", "--no-edit", "HEAD")
    git(remote.work, "push", "--quiet", "origin", "HEAD:main")
    revision = git(remote.work, "rev-parse", "HEAD")
    refresh(cluster, "medqa-dev")
    wait_until("medqa-dev to be Synced and Healthy at the revert of the failing release",
               lambda: synced_and_healthy(cluster, "medqa-dev", revision), 300,
               lambda: explain(cluster, "medqa-dev"))  # fmt: skip
    back = rollout(cluster)
    assert back.replicaset == serving.replicaset and back.image == serving.image
    assert back.job_image == serving.image and back.job_uid != serving.job_uid  # the migration ran again, and passed
    record("on-call", revision, back)


def rollout_unchanged(cluster: Cluster, serving: Rollout, image: str) -> bool:
    """The Deployment still runs the serving image and ReplicaSet; no API pod runs `image`."""
    deployment = cluster.get("deployment", "medqa", "-n", "medqa")
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == serving.image
    sets = cluster.get("replicasets", "-n", "medqa", "-l", "app.kubernetes.io/component=api")["items"]
    active = [rs["metadata"]["name"] for rs in sets if rs["spec"].get("replicas", 0) > 0]
    assert active == [serving.replicaset]
    pods = cluster.get("pods", "-n", "medqa", "-l", "app.kubernetes.io/component=api")["items"]
    assert all(c["image"] != image for pod in pods for c in pod["spec"]["containers"])
    return True
