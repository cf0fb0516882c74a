"""scripts/tools.toml is well formed and scripts/README.md documents every entry."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
MANIFEST = REPO / "scripts" / "tools.toml"
README = REPO / "scripts" / "README.md"
KINDS = {"go", "gowrap", "path", "provider", "apt", "pip", "crd", "openapi", "missing"}
CLUSTER_TOOLS = {
    "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "kwok", "argocd",
    "redis-server",
}  # fmt: skip
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
MODULE_VERSION = re.compile(r"^v\d+\.\d+\.\d+(-[0-9a-z.-]+)?(\+incompatible)?$")
ISSUE_TOOLS = {
    "terraform", "terraform-provider-azurerm", "terraform-provider-azuread",
    "terraform-provider-azapi", "terraform-provider-random", "terraform-provider-tls",
    "terraform-provider-helm", "terraform-provider-kubernetes", "tflint",
    "tflint-ruleset-azurerm", "kubeconform", "kube-linter", "kustomize", "helm",
    "actionlint", "promtool", "checkov", "zizmor", "k8s-schemas", "crd-schemas",
    "kube-score",  # issue #17: kube-score in the offline gate
}  # fmt: skip


def _tools() -> dict[str, dict[str, Any]]:
    """The manifest's tool tables."""
    with MANIFEST.open("rb") as handle:
        return dict(tomllib.load(handle)["tools"])


TOOLS = _tools()


def test_every_tool_the_issue_asks_for_is_listed() -> None:
    """Nothing is silently dropped: an unobtainable tool is listed as `missing`."""
    assert set(TOOLS) >= ISSUE_TOOLS


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_entry_is_well_formed(name: str) -> None:
    """Each kind carries the fields its installer needs, and versions are exact."""
    spec = TOOLS[name]
    assert spec["kind"] in KINDS
    assert spec.get("source") or spec["kind"] == "crd"
    if spec["kind"] == "missing":
        assert spec["reason"]
        assert "version" not in spec, "a version nobody can build would mislead readers"
        return
    assert spec["cold_build"] and "pending" not in spec["cold_build"]
    if spec["kind"] in ("go", "gowrap", "path", "provider"):
        assert SEMVER.match(spec["version"])
        assert MODULE_VERSION.match(spec["module_version"])
        assert spec["package"].startswith(spec["source"].split("/v")[0].split("/cmd")[0])
    if spec["kind"] == "provider":
        host, namespace, ptype = spec["registry"].split("/")
        assert host == "registry.terraform.io" and namespace and ptype


def test_the_control_plane_is_an_opt_in_group_with_measured_builds() -> None:
    """Issue #13: every control-plane tool is in group `cluster`, with its cold build time and size."""
    grouped = {name for name, spec in TOOLS.items() if spec.get("group") == "cluster"}
    assert grouped == CLUSTER_TOOLS
    for name in grouped - {"redis-server"}:
        assert re.match(r"^\d+ s", TOOLS[name]["cold_build"]), name
        assert re.match(r"^\d+ MB$", TOOLS[name]["size"]), name
    kube = [TOOLS[n] for n in ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl")]
    assert {spec["version"] for spec in kube} == {TOOLS["k8s-schemas"]["version"]}  # one Kubernetes version
    assert TOOLS["etcd"]["version"].startswith("3.6.")


def test_wrapped_modules_say_how_their_local_replaces_are_pinned() -> None:
    """A `gowrap` tool names its module and a pin for the directories its go.mod replaces."""
    for name, spec in TOOLS.items():
        if spec["kind"] == "gowrap":
            assert spec["package"].startswith(spec["module"]), name
            assert MODULE_VERSION.match(spec["module_version"]), name
            pins = [spec.get("local_replace_version"), *spec.get("pins", {}).values()]
            assert all(pin is None or MODULE_VERSION.match(pin) for pin in pins), name


def test_crd_sources_are_pinned_modules_with_files() -> None:
    """Each CRD source names a module, an exact version and YAML files inside it."""
    sources = TOOLS["crd-schemas"]["sources"]
    assert set(sources) == {
        "argo-cd", "prometheus-operator", "cert-manager", "secrets-store-csi-driver",
        "external-secrets", "kyverno", "cilium",
    }  # fmt: skip
    for source in sources.values():
        assert MODULE_VERSION.match(source["version"])
        assert source["files"] and all(f.endswith(".yaml") for f in source["files"])


def test_readme_documents_every_tool_with_its_version() -> None:
    """scripts/README.md has a row per tool naming the pinned version."""
    text = README.read_text()
    for name, spec in TOOLS.items():
        row = next((line for line in text.splitlines() if line.startswith(f"| {name} ")), None)
        assert row is not None, f"{name} has no row in scripts/README.md"
        if "version" in spec:
            assert spec["version"] in row, name


def test_the_base_kinds_of_the_platform_contract_have_crd_sources() -> None:
    """ExternalSecret/SecretStore/ClusterSecretStore (ESO v1), ClusterPolicy and CiliumNetworkPolicy v2."""
    sources = TOOLS["crd-schemas"]["sources"]
    files = {name: " ".join(source["files"]) for name, source in sources.items()}
    for kind in ("externalsecrets", "secretstores", "clustersecretstores"):
        assert f"external-secrets.io_{kind}.yaml" in files["external-secrets"], kind
    assert "kyverno.io_clusterpolicies.yaml" in files["kyverno"]
    assert "crds/v2/ciliumnetworkpolicies.yaml" in files["cilium"]
    # Kubernetes 1.34 on AKS runs the Cilium 1.18 line.
    assert sources["cilium"]["version"].startswith("v1.18.")
