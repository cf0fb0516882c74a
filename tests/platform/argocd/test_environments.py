"""Pulumi's extra environments (overlays/<name>/environment.yaml) get an Application on the cluster they name."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from tests.platform.argocd.conftest import Kubeconform
from tests.platform.argocd.model import (
    IN_CLUSTER,
    LONG_LIVED,
    REPO_URL,
    Doc,
    admission_errors,
    appsets,
    cluster_secret,
    generate,
    of_kind,
)
from tests.platform.argocd.test_projects import CLUSTER_SCOPED, projects
from tests.platform.argocd.test_schemas import assert_valid

PR_123 = "gitops/kustomize/overlays/pr-123/environment.yaml"


def environment(name: str = "pr-123", cluster: str = "dev", **extra: str) -> Doc:
    """What platform/pulumi writes into overlays/<name>/environment.yaml."""
    return {
        "name": name,
        "environment": "preview",
        "shape": "shared-cluster",
        "namespace": f"medqa-{name}",
        "cluster": cluster,
        "expires_on": "2026-12-09",
        **extra,
    }


def medqa(tree: list[tuple[Path, Doc]], files: dict[str, Doc], envs: tuple[str, ...] = LONG_LIVED) -> list[Doc]:
    """The medqa ApplicationSet's Applications for these registrations and repository files."""
    return generate(appsets(tree)["medqa"], [cluster_secret(e) for e in envs], files)


def in_namespace(namespace: str) -> list[Doc]:
    """One object the project admits by kind, placed in a namespace (to check the destination)."""
    return [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": namespace}}]


def test_shared_cluster_environment_gets_one_application_on_its_cluster(tree: list[tuple[Path, Doc]]) -> None:
    """pr-123 on the dev cluster: medqa-pr-123, its overlay, its namespace, beside the three long-lived ones."""
    apps = {a["metadata"]["name"]: a for a in medqa(tree, {PR_123: environment()})}
    assert sorted(apps) == ["medqa-dev", "medqa-pr-123", "medqa-prod", "medqa-staging"]
    app = apps["medqa-pr-123"]
    assert app["metadata"]["labels"]["medqa.io/environment"] == "preview"
    assert app["spec"]["source"]["path"] == "gitops/kustomize/overlays/pr-123"
    assert app["spec"]["destination"] == {"name": "dev", "namespace": "medqa-pr-123"}
    # The long-lived path is unchanged by the extra generator.
    assert apps["medqa-dev"]["spec"]["destination"] == {"name": "dev", "namespace": "medqa"}


def test_each_argocd_deploys_only_the_environments_on_its_own_cluster(tree: list[tuple[Path, Doc]]) -> None:
    """A file naming staging is deployed by staging's Argo CD only; `in-cluster` would mean every one: none."""
    files = {PR_123: environment(cluster="staging")}
    assert [a["metadata"]["name"] for a in medqa(tree, files, envs=("dev",))] == ["medqa-dev"]
    on_staging = medqa(tree, files, envs=("staging",))
    assert [a["spec"]["destination"]["name"] for a in on_staging] == ["staging", "staging"]
    files = {PR_123: environment(cluster="in-cluster")}
    assert len(medqa(tree, files)) == len(LONG_LIVED)


def test_medqa_project_admits_pulumi_namespaces_and_nothing_else(tree: list[tuple[Path, Doc]]) -> None:
    """medqa-<name> on a long-lived cluster is admitted; a namespace outside medqa* or another cluster is not."""
    project = projects(tree)["medqa"]
    (app,) = [a for a in medqa(tree, {PR_123: environment()}) if a["metadata"]["name"] == "medqa-pr-123"]
    assert admission_errors(project, app, in_namespace("medqa-pr-123"), CLUSTER_SCOPED) == []
    assert admission_errors(project, app, in_namespace("default"), CLUSTER_SCOPED)
    elsewhere = copy.deepcopy(app)
    elsewhere["spec"]["destination"]["name"] = "someone-elses-cluster"
    assert admission_errors(project, elsewhere, in_namespace("medqa-pr-123"), CLUSTER_SCOPED)


def test_a_file_without_a_key_fails_the_generation(tree: list[tuple[Path, Doc]]) -> None:
    """missingkey=error: an environment.yaml without `namespace` is an error, not an Application in ''."""
    broken = environment()
    del broken["namespace"]
    with pytest.raises(KeyError, match="namespace"):
        medqa(tree, {PR_123: broken})


def test_generated_environment_application_is_valid(
    kubeconform: Kubeconform, tree: list[tuple[Path, Doc]], tmp_path: Path
) -> None:
    """The Application made from an environment.yaml passes kubeconform -strict."""
    apps = medqa(tree, {PR_123: environment(), "gitops/kustomize/overlays/perf/environment.yaml": environment("perf")})
    assert len(apps) == len(LONG_LIVED) + 2
    assert_valid(kubeconform, apps, tmp_path)


def test_generators_read_only_the_pulumi_file_pattern(tree: list[tuple[Path, Doc]]) -> None:
    """The git generator reads overlays/*/environment.yaml of this repository's main branch, nothing else."""
    (matrix,) = [g["matrix"] for g in appsets(tree)["medqa"]["spec"]["generators"] if "matrix" in g]
    git = matrix["generators"][0]["git"]
    assert git["files"] == [{"path": "gitops/kustomize/overlays/*/environment.yaml"}]
    stray = {"gitops/kustomize/base/environment.yaml": environment("base")}
    assert len(medqa(tree, stray)) == len(LONG_LIVED)
    assert of_kind(tree, "ApplicationSet")


PERF = "gitops/kustomize/overlays/perf/environment.yaml"
PERF_REGISTRATION = "gitops/clusters/dev/perf.yaml"


def dedicated_registration(name: str = "perf") -> Doc:
    """What platform/pulumi writes into gitops/clusters/dev/<name>.yaml for a dedicated cluster."""
    secret = cluster_secret(name, server=f"https://aks-medqa-{name}-weu-dns.hcp.westeurope.azmk8s.io:443")
    secret["metadata"]["name"] = f"cluster-{name}"
    secret["metadata"]["labels"]["medqa.io/environment"] = "perf"
    return secret


def dedicated_environment(name: str = "perf") -> Doc:
    """environment.yaml of a dedicated environment: namespace medqa on the cluster registered as <name>."""
    return environment(name, cluster=name, environment="perf", shape="dedicated", namespace="medqa")


def test_dedicated_environment_lands_on_its_own_cluster_and_is_admitted(tree: list[tuple[Path, Doc]]) -> None:
    """dev's Argo CD holds perf's registration (medqa.io/cluster: perf): medqa-perf deploys to perf/medqa."""
    clusters = [cluster_secret("dev"), dedicated_registration()]
    apps = {
        a["metadata"]["name"]: a for a in generate(appsets(tree)["medqa"], clusters, {PERF: dedicated_environment()})
    }
    assert sorted(apps) == ["medqa-dev", "medqa-perf"]
    assert apps["medqa-perf"]["spec"]["destination"] == {"name": "perf", "namespace": "medqa"}
    project = projects(tree)["medqa"]
    assert admission_errors(project, apps["medqa-perf"], in_namespace("medqa"), CLUSTER_SCOPED) == []
    # A dedicated cluster gets namespace medqa only, and the prod sync window stays on medqa-prod alone.
    assert admission_errors(project, apps["medqa-perf"], in_namespace("medqa-perf"), CLUSTER_SCOPED)
    assert [w["applications"] for w in project["spec"]["syncWindows"]] == [["medqa-prod"]]


def test_dedicated_registrations_are_applied_by_the_dev_argocd_only(tree: list[tuple[Path, Doc]]) -> None:
    """gitops/clusters/dev/*.yaml is outside the root's tree; medqa-clusters applies it on dev, nowhere else."""
    clusters = appsets(tree)["medqa-clusters"]
    files = {PERF_REGISTRATION: dedicated_registration()}
    (app,) = generate(clusters, [cluster_secret("dev")], files)
    assert app["metadata"]["name"] == "cluster-perf"
    assert app["spec"]["source"] == {
        "repoURL": REPO_URL,
        "targetRevision": "main",
        "path": "gitops/clusters/dev",
        "directory": {"include": "perf.yaml"},
    }
    assert app["spec"]["destination"] == {"server": IN_CLUSTER, "namespace": "argocd"}
    assert admission_errors(projects(tree)["bootstrap"], app, [files[PERF_REGISTRATION]], CLUSTER_SCOPED) == []
    assert generate(clusters, [cluster_secret("staging"), cluster_secret("prod")], files) == []
    # No root syncs a registration directly: none lies under gitops/argocd.
    assert not [doc for _, doc in tree if doc.get("kind") == "Secret"]


def test_generated_registration_application_is_valid(
    kubeconform: Kubeconform, tree: list[tuple[Path, Doc]], tmp_path: Path
) -> None:
    """The Application medqa-clusters makes and the registration it applies pass kubeconform -strict."""
    registration = dedicated_registration()
    apps = generate(appsets(tree)["medqa-clusters"], [cluster_secret("dev")], {PERF_REGISTRATION: registration})
    assert len(apps) == 1
    assert_valid(kubeconform, [*apps, registration], tmp_path)
