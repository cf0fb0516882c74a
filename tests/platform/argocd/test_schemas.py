"""Every Argo CD object, generated Application and embedded manifest passes kubeconform -strict."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path

import yaml

from tests.platform.argocd.conftest import Kubeconform
from tests.platform.argocd.model import LONG_LIVED, REPO, Doc, cluster_secret, generate, of_kind


def assert_valid(kubeconform: Kubeconform, docs: list[Doc], tmp_path: Path) -> None:
    """kubeconform accepts every document and skips none."""
    done = kubeconform.run(docs, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Valid: {len(docs)}, Invalid: 0, Errors: 0, Skipped: 0" in done.stdout, done.stdout


def test_every_object_in_the_tree_is_valid(
    kubeconform: Kubeconform, tree: list[tuple[Path, Doc]], tmp_path: Path
) -> None:
    """The committed AppProjects, Applications, ApplicationSet and ConfigMap validate strictly."""
    assert_valid(kubeconform, [doc for _, doc in tree], tmp_path)


def test_generated_applications_and_cluster_secrets_are_valid(
    kubeconform: Kubeconform, tree: list[tuple[Path, Doc]], tmp_path: Path
) -> None:
    """What the ApplicationSet creates for dev, staging and prod validates, and so do the registrations."""
    (appset,) = of_kind(tree, "ApplicationSet")
    secrets = [cluster_secret(env) for env in LONG_LIVED]
    apps = generate(appset, secrets)
    assert len(apps) == len(LONG_LIVED)
    assert_valid(kubeconform, apps + secrets, tmp_path)


def test_cluster_issuer_shipped_with_cert_manager_is_valid(
    kubeconform: Kubeconform, tree: list[tuple[Path, Doc]], tmp_path: Path
) -> None:
    """The ClusterIssuer in the cert-manager values (extraObjects) validates against the cert-manager CRD."""
    (app,) = [a for a in of_kind(tree, "Application") if a["metadata"]["name"] == "cert-manager"]
    extra = [yaml.safe_load(text) for text in app["spec"]["source"]["helm"]["valuesObject"]["extraObjects"]]
    assert [o["kind"] for o in extra] == ["ClusterIssuer"]
    assert extra[0]["metadata"]["name"] == "letsencrypt"
    assert_valid(kubeconform, extra, tmp_path)


def test_unknown_field_is_rejected(kubeconform: Kubeconform, tree: list[tuple[Path, Doc]], tmp_path: Path) -> None:
    """A misspelt sync option field fails: the schemas are strict, so the checks above mean something."""
    (appset,) = of_kind(tree, "ApplicationSet")
    broken = copy.deepcopy(appset)
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
    """Every file under gitops/argocd is an Argo CD object, a cluster Secret or the notifications ConfigMap."""
    for path, doc in tree:
        assert doc["metadata"].get("namespace") == "argocd", path
        kind = doc["kind"]
        assert kind in {"AppProject", "Application", "ApplicationSet", "ConfigMap", "Secret"}, path
        if kind == "ConfigMap":
            assert doc["metadata"]["name"] == "argocd-notifications-cm", path
        if kind == "Secret":
            assert doc["metadata"]["labels"]["argocd.argoproj.io/secret-type"] == "cluster", path


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
