"""Every Argo CD object, generated Application and embedded manifest passes kubeconform -strict."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path

import yaml

from tests.platform.argocd.conftest import Kubeconform
from tests.platform.argocd.model import (
    ARGOCD,
    LONG_LIVED,
    REPO,
    Doc,
    appsets,
    cluster_secret,
    every_application,
    load_manifests,
    of_kind,
)


def assert_valid(kubeconform: Kubeconform, docs: list[Doc], tmp_path: Path) -> None:
    """kubeconform accepts every document and skips none."""
    done = kubeconform.run(docs, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Valid: {len(docs)}, Invalid: 0, Errors: 0, Skipped: 0" in done.stdout, done.stdout


def extra_objects(app: Doc) -> list[Doc]:
    """The extraObjects an add-on Application's values ship (YAML strings or mappings)."""
    values = app["spec"]["source"].get("helm", {}).get("valuesObject", {})
    return [yaml.safe_load(o) if isinstance(o, str) else o for o in values.get("extraObjects", [])]


def addon_manifests() -> list[Doc]:
    """The plain manifests that the Git-directory add-ons sync (addons/manifests/<folder>/)."""
    return [doc for folder in sorted((ARGOCD / "addons" / "manifests").iterdir()) for doc in load_manifests(folder)]


def test_every_object_in_the_tree_is_valid(
    kubeconform: Kubeconform, tree: list[tuple[Path, Doc]], tmp_path: Path
) -> None:
    """The committed AppProjects, Applications, ApplicationSets, ExternalSecrets and ConfigMap validate."""
    assert_valid(kubeconform, [doc for _, doc in tree], tmp_path)


def test_generated_applications_and_cluster_secrets_are_valid(
    kubeconform: Kubeconform, tree: list[tuple[Path, Doc]], tmp_path: Path
) -> None:
    """What every ApplicationSet creates for dev, staging and prod validates, and so do the registrations."""
    secrets = [cluster_secret(env) for env in LONG_LIVED]
    apps = every_application(tree)[len(of_kind(tree, "Application")) :]
    # medqa and the six add-ons, once per registered cluster; medqa-clusters makes an Application only for a
    # Pulumi dedicated-cluster registration file, and none is committed.
    assert len(appsets(tree)) == 8
    assert len(apps) == 7 * len(LONG_LIVED)
    assert_valid(kubeconform, apps + secrets, tmp_path)


def test_objects_shipped_with_the_addons_are_valid(
    kubeconform: Kubeconform, tree: list[tuple[Path, Doc]], tmp_path: Path
) -> None:
    """The ClusterIssuer, the ClusterSecretStore and the plain add-on manifests validate against their CRDs."""
    # One set per registered cluster: the environments' objects differ only in their per-cluster values.
    shipped = [o for app in every_application(tree) for o in extra_objects(app)]
    assert len(shipped) == 2 * len(LONG_LIVED)
    assert sorted({(o["kind"], o["metadata"]["name"]) for o in shipped}) == [
        ("ClusterIssuer", "letsencrypt"),
        ("ClusterSecretStore", "platform-keyvault"),
    ]
    manifests = addon_manifests()
    assert {(o["kind"], o["metadata"]["name"]) for o in manifests} == {
        ("ClusterPolicy", "verify-medqa-images"),
        ("ConfigMap", "ama-metrics-settings-configmap"),
    }
    assert_valid(kubeconform, shipped + manifests, tmp_path)


def test_unknown_field_is_rejected(kubeconform: Kubeconform, tree: list[tuple[Path, Doc]], tmp_path: Path) -> None:
    """A misspelt sync option field fails: the schemas are strict, so the checks above mean something."""
    broken = copy.deepcopy(appsets(tree)["medqa"])
    broken["spec"]["template"]["spec"]["syncPolicy"]["automatic"] = {"prune": True}
    done = kubeconform.run([broken], tmp_path)
    assert done.returncode != 0
    assert "automatic" in done.stdout


def test_wrong_type_is_rejected(kubeconform: Kubeconform, tree: list[tuple[Path, Doc]], tmp_path: Path) -> None:
    """A string where the AppProject wants a list fails."""
    (project,) = [p for p in of_kind(tree, "AppProject") if p["metadata"]["name"] == "medqa"]
    broken = copy.deepcopy(project)
    broken["spec"]["sourceRepos"] = "https://github.com/example-org/medqa.git"
    assert kubeconform.run([broken], tmp_path).returncode != 0


def test_tree_holds_only_what_the_root_application_may_sync(tree: list[tuple[Path, Doc]]) -> None:
    """Root syncs Argo CD objects, ExternalSecrets, the notifications ConfigMap and Pulumi's registrations."""
    for path, doc in tree:
        assert doc["metadata"].get("namespace") == "argocd", path
        kind = doc["kind"]
        assert kind in {"AppProject", "Application", "ApplicationSet", "ConfigMap", "ExternalSecret", "Secret"}, path
        if kind == "ConfigMap":
            assert doc["metadata"]["name"] == "argocd-notifications-cm", path
        if kind == "Secret":  # only a credential-free cluster registration that platform/pulumi wrote
            assert path.parent == ARGOCD / "clusters", path
            assert doc["metadata"]["labels"]["argocd.argoproj.io/secret-type"] == "cluster", path


def test_root_leaves_the_addon_manifests_to_their_applications(tree: list[tuple[Path, Doc]]) -> None:
    """addons/manifests/ (cluster-scoped and kube-system objects) is excluded from root and synced by add-ons."""
    synced = {path for path, _ in tree}
    folders = sorted((ARGOCD / "addons" / "manifests").iterdir())
    assert folders and not any(p.is_relative_to(ARGOCD / "addons" / "manifests") for p in synced)
    paths = {a["spec"]["source"].get("path") for a in every_application(tree)}
    for folder in folders:
        assert str(folder.relative_to(REPO)) in paths, folder.name


YAMLLINT = (
    "{extends: default, rules: {line-length: {max: 120}, document-start: disable,"
    " truthy: {check-keys: false}, comments: {min-spaces-from-content: 1}}}"
)


def test_yamllint_passes_on_the_argocd_tree_and_workflows() -> None:
    """yamllint (uv `checks` group) finds nothing in gitops/argocd or .github/workflows."""
    done = subprocess.run(
        ["uv", "run", "--frozen", "yamllint", "-f", "parsable", "-d", YAMLLINT, "gitops/argocd", ".github/workflows"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stdout + done.stderr
