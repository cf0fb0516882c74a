"""Every source an Application or the ApplicationSet names exists, renders, and is pinned."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from tests.platform.argocd.model import (
    ARGOCD,
    LONG_LIVED,
    REPO,
    REPO_URL,
    Doc,
    appsets,
    cluster_secret,
    every_application,
    generate,
    kustomize_build,
    of_kind,
)

TOOLS = tomllib.loads((REPO / "scripts" / "tools.toml").read_text(encoding="utf-8"))
EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+$")
# Chart -> the CRD source in scripts/tools.toml whose version is that chart's appVersion. Kyverno's chart has
# its own numbering: bumping it means reading its appVersion and adding the pair here.
CHART_CRDS = {"cert-manager": "cert-manager", "external-secrets": "external-secrets", "kyverno": "kyverno"}
KYVERNO_APP_VERSION = {"3.9.1": "v1.19.1"}
CHARTS = {"ingress-nginx", "cert-manager", "external-secrets", "kyverno"}


def applications(tree: list[tuple[Path, Doc]]) -> dict[str, Doc]:
    """Committed Applications by name."""
    return {a["metadata"]["name"]: a for a in of_kind(tree, "Application")}


def addons(tree: list[tuple[Path, Doc]]) -> dict[str, Doc]:
    """Every add-on Application (committed, or generated for the dev registration), by name."""
    apps = every_application(tree)
    return {a["metadata"]["name"]: a for a in apps if a["spec"]["project"] == "platform-addons"}


def generated(tree: list[tuple[Path, Doc]]) -> dict[str, Doc]:
    """ApplicationSet-generated Applications for the long-lived environments, by environment."""
    apps = generate(appsets(tree)["medqa"], [cluster_secret(e) for e in LONG_LIVED])
    return {a["metadata"]["labels"]["medqa.io/environment"]: a for a in apps}


def test_root_application_syncs_this_tree(tree: list[tuple[Path, Doc]]) -> None:
    """The root Application reads gitops/argocd recursively from this repository."""
    root = applications(tree)["root"]
    source = root["spec"]["source"]
    assert (source["repoURL"], source["path"]) == (REPO_URL, str(ARGOCD.relative_to(REPO)))
    assert source["directory"]["recurse"] is True
    assert (REPO / source["path"]).is_dir()


def test_git_sources_exist(tree: list[tuple[Path, Doc]]) -> None:
    """Every Git source path of a committed Application exists in the repository."""
    for name, app in applications(tree).items():
        source = app["spec"]["source"]
        if "chart" not in source:
            assert source["repoURL"] == REPO_URL, name
            assert (REPO / source["path"]).is_dir(), name


@pytest.mark.parametrize("env", LONG_LIVED)
def test_each_environment_application_renders_into_its_destination(
    tree: list[tuple[Path, Doc]], kustomize: Path, env: str
) -> None:
    """The generated Application's overlay exists, renders, and every object lands in its namespace."""
    app = generated(tree)[env]
    assert app["metadata"]["name"] == f"medqa-{env}"
    source, dest = app["spec"]["source"], app["spec"]["destination"]
    assert source["repoURL"] == REPO_URL and source["targetRevision"] == "main"
    overlay = REPO / source["path"]
    assert overlay == REPO / "gitops" / "kustomize" / "overlays" / env
    objects = kustomize_build(kustomize, overlay)
    assert dest["name"] == env
    namespaces = [o for o in objects if o["kind"] == "Namespace"]
    assert [n["metadata"]["name"] for n in namespaces] == [dest["namespace"]]
    for obj in objects:
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == dest["namespace"], obj["metadata"]["name"]


def test_every_long_lived_overlay_has_an_application(tree: list[tuple[Path, Doc]]) -> None:
    """dev, staging and prod overlays exist and each gets exactly one Application."""
    overlays = {p.name for p in (REPO / "gitops" / "kustomize" / "overlays").iterdir() if p.is_dir()}
    assert set(LONG_LIVED) <= overlays
    assert sorted(generated(tree)) == sorted(LONG_LIVED)


def test_selector_ignores_extra_environments_and_unlabelled_clusters(tree: list[tuple[Path, Doc]]) -> None:
    """A Pulumi extra environment (perf) or a cluster without medqa.io/overlay gets no MedQA Application."""
    appset = appsets(tree)["medqa"]
    perf = cluster_secret("perf")
    unlabelled = cluster_secret("dev")
    del unlabelled["metadata"]["labels"]["medqa.io/overlay"]
    assert generate(appset, [perf, unlabelled]) == []


def test_hpa_owns_replicas(tree: list[tuple[Path, Doc]]) -> None:
    """Replicas are ignored (and left out of the apply) because the HPA owns them."""
    spec = generated(tree)["prod"]["spec"]
    assert spec["ignoreDifferences"] == [
        {"group": "apps", "kind": "Deployment", "name": "medqa", "jsonPointers": ["/spec/replicas"]}
    ]
    assert "RespectIgnoreDifferences=true" in spec["syncPolicy"]["syncOptions"]


def test_every_environment_syncs_automatically_with_retry(tree: list[tuple[Path, Doc]]) -> None:
    """All three sync automatically (prod only inside its window: test_projects) with a bounded back-off."""
    for env, app in generated(tree).items():
        policy = app["spec"]["syncPolicy"]
        assert policy["automated"] == {"prune": True, "selfHeal": True}, env
        assert policy["retry"]["limit"] > 0 and policy["retry"]["backoff"]["factor"] > 1, env
        # A retry after a failed migration must apply the failed Job again and fail, not skip it (gitops/README.md).
        assert not any(o.startswith("ApplyOutOfSyncOnly") for o in policy["syncOptions"]), env


def test_helm_charts_are_pinned_to_exact_versions(tree: list[tuple[Path, Doc]]) -> None:
    """Every chart source has an exact x.y.z version, never a range, branch or `*`; kube-prometheus-stack is gone."""
    charts = [a for a in addons(tree).values() if "chart" in a["spec"]["source"]]
    assert {a["spec"]["source"]["chart"] for a in charts} == CHARTS
    for app in charts:
        assert EXACT_VERSION.match(app["spec"]["source"]["targetRevision"]), app["metadata"]["name"]


def test_chart_versions_match_the_pinned_crd_schemas(tree: list[tuple[Path, Doc]]) -> None:
    """cert-manager, External Secrets and Kyverno run the versions whose CRD schemas validate our manifests."""
    crds = TOOLS["tools"]["crd-schemas"]["sources"]
    apps = addons(tree)
    for chart, source in CHART_CRDS.items():
        version = apps[chart]["spec"]["source"]["targetRevision"]
        expected = crds[source]["version"]
        assert KYVERNO_APP_VERSION.get(version, version).lstrip("v") == expected.lstrip("v"), chart


def test_addons_release_names_match_what_the_manifests_select(tree: list[tuple[Path, Doc]]) -> None:
    """Namespaces and names other layers rely on: the IngressClass, the ESO ServiceAccount, the issuer."""
    apps = addons(tree)
    assert apps["ingress-nginx"]["spec"]["destination"]["namespace"] == "ingress-nginx"
    ingress_class = apps["ingress-nginx"]["spec"]["source"]["helm"]["valuesObject"]["controller"]
    assert ingress_class["ingressClassResource"]["name"] == "nginx"
    eso = apps["external-secrets"]["spec"]
    assert eso["destination"]["namespace"] == "external-secrets"
    assert eso["source"]["helm"]["valuesObject"]["serviceAccount"]["name"] == "external-secrets"
    assert apps["cert-manager"]["spec"]["destination"]["namespace"] == "cert-manager"
    assert "kube-prometheus-stack" not in apps and "monitoring" not in str(apps)


def test_template_renderer_refuses_what_it_does_not_understand(tree: list[tuple[Path, Doc]]) -> None:
    """The test's Go-template renderer fails on an unknown expression instead of guessing (missingkey=error)."""
    appset = appsets(tree)["medqa"]
    broken = {**appset, "spec": {**appset["spec"], "template": {"metadata": {"name": "{{ .nmae }}"}}}}
    with pytest.raises(KeyError):
        generate(broken, [cluster_secret("dev")])
    broken["spec"]["template"] = {"metadata": {"name": "{{ upper .name }}"}}
    with pytest.raises(ValueError, match="not understood"):
        generate(broken, [cluster_secret("dev")])


def _tf_default(text: str, variable: str) -> str:
    """The string default of a Terraform variable block."""
    block = re.search(rf'variable "{variable}" {{(.*?)\n}}', text, re.S)
    assert block, variable
    value = re.search(r'default\s*=\s*"([^"]*)"', block.group(1))
    assert value, variable
    return value.group(1)


def test_root_application_matches_the_terraform_bootstrap(tree: list[tuple[Path, Doc]]) -> None:
    """The root Application and project here are the ones Terraform creates (same name, path, repo)."""
    module = REPO / "platform" / "terraform" / "modules" / "argocd_bootstrap"
    variables = (module / "variables.tf").read_text(encoding="utf-8")
    root = applications(tree)["root"]
    assert _tf_default(variables, "root_path") == root["spec"]["source"]["path"]
    assert _tf_default(variables, "namespace") == root["metadata"]["namespace"]
    assert _tf_default(variables, "target_revision") == root["spec"]["source"]["targetRevision"]
    assert 'project    = "bootstrap"' in (module / "locals.tf").read_text(encoding="utf-8")
    assert root["spec"]["project"] == "bootstrap"
    for env in ("dev", "prod"):
        tfvars = (REPO / "platform" / "terraform" / "environments" / env / "terraform.tfvars").read_text()
        assert re.search(rf'^repo_url\s*=\s*"{re.escape(REPO_URL)}"', tfvars, re.M), env
