"""Terraform writes exactly the cluster registration gitops/argocd reads, and seeds the Secret ESO would make.

The consuming side is read from the YAML: the `{{ .key }}` variables of the ExternalSecret template
(secrets/cluster-registration.yaml) and the `required "<annotation>"` look-ups of the add-on ApplicationSets.
The producing side is Terraform's planned value (modules/argocd_bootstrap, `terraform test -json -verbose`),
so a key renamed on either side fails here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.platform.terraform.conftest import REPO, TF_DIR

ARGOCD = REPO / "gitops" / "argocd"
MODULE = TF_DIR / "modules" / "argocd_bootstrap"
_VARIABLE = re.compile(r"{{ \.([a-z_]+) }}")
_REQUIRED = re.compile(r'required "([^"]+)"')
# The plan-only run of modules/argocd_bootstrap/tests whose planned outputs are read.
SEED_RUN = "first_boot_seeds_the_registration_secret_the_external_secret_makes"


def external_secret(name: str) -> dict[str, Any]:
    """The ExternalSecret of that name under gitops/argocd/secrets."""
    for path in sorted((ARGOCD / "secrets").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc and doc.get("kind") == "ExternalSecret" and doc["metadata"]["name"] == name:
                return doc
    raise AssertionError(f"no ExternalSecret {name} under {ARGOCD / 'secrets'}")


def template_variables(node: object) -> set[str]:
    """Every `{{ .key }}` the template reads (each a top-level key of the Key Vault JSON)."""
    if isinstance(node, dict):
        return set().union(*(template_variables(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(template_variables(v) for v in node))
    return set(_VARIABLE.findall(node)) if isinstance(node, str) else set()


def render(template: dict[str, Any], data: dict[str, str]) -> dict[str, Any]:
    """What ESO writes from the template for this JSON (the template uses only `{{ .key }}` actions)."""

    def fill(node: object) -> object:
        if isinstance(node, dict):
            return {k: fill(v) for k, v in node.items()}
        return _VARIABLE.sub(lambda m: data[m.group(1)], node) if isinstance(node, str) else node

    return {"metadata": fill(template["metadata"]), "stringData": fill(template["data"]), "type": template["type"]}


def addon_annotations() -> set[str]:
    """The registration annotations the add-on ApplicationSets require."""
    return {a for p in (ARGOCD / "addons").glob("*.yaml") for a in _REQUIRED.findall(p.read_text(encoding="utf-8"))}


REGISTRATION = external_secret("cluster-registration")
TEMPLATE = REGISTRATION["spec"]["target"]["template"]


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory, providers: Path) -> dict[str, Any]:
    """The planned outputs of modules/argocd_bootstrap with its test variables (a mocked provider)."""
    work = tmp_path_factory.mktemp("argocd_bootstrap") / "module"
    shutil.copytree(MODULE, work, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_CLI_CONFIG_FILE": str(work.parent / "none.tfrc")}
    init = ["terraform", "init", "-backend=false", f"-plugin-dir={providers}", "-no-color"]
    subprocess.run(init, cwd=work, env=env, check=True, capture_output=True, timeout=300)
    test = ["terraform", "test", "-json", "-verbose", "-no-color", "-filter=tests/argocd_bootstrap.tftest.hcl"]
    result = subprocess.run(test, cwd=work, env=env, check=True, capture_output=True, text=True, timeout=300)
    plans = [m for m in map(json.loads, result.stdout.splitlines()) if m["type"] == "test_plan"]
    run = next(
        m for m in plans if m.get("@testrun") == "first_boot_seeds_the_registration_secret_the_external_secret_makes"
    )
    return {name: change["after"] for name, change in run["test_plan"]["output_changes"].items()}


def test_the_template_reads_only_the_key_vault_json() -> None:
    assert REGISTRATION["spec"]["dataFrom"] == [{"extract": {"key": "argocd-cluster-registration"}}]
    assert template_variables(TEMPLATE) >= {"environment", "overlay"}


def test_every_annotation_an_addon_requires_is_templated() -> None:
    templated = set(TEMPLATE["metadata"]["annotations"])
    assert addon_annotations(), "no add-on reads the registration: the pattern in this test is stale"
    assert addon_annotations() <= templated, addon_annotations() - templated


def test_terraform_writes_exactly_the_keys_the_template_reads(planned: dict[str, Any]) -> None:
    written = set(planned["cluster_registration"])
    read = template_variables(TEMPLATE)
    assert written == read, f"Terraform only: {sorted(written - read)}; gitops/argocd only: {sorted(read - written)}"
    assert all(isinstance(v, str) and v for v in planned["cluster_registration"].values())


def test_the_seeded_secret_is_what_external_secrets_makes(planned: dict[str, Any]) -> None:
    """The bootstrap's Secret and ESO's agree, so the takeover (creationPolicy Orphan) changes nothing."""
    seed = planned["cluster_registration_manifest"]
    made = render(TEMPLATE, planned["cluster_registration"])
    assert seed["metadata"]["name"] == REGISTRATION["spec"]["target"]["name"]
    assert seed["metadata"]["namespace"] == REGISTRATION["metadata"]["namespace"]
    assert seed["metadata"]["labels"] == made["metadata"]["labels"]
    assert seed["metadata"]["annotations"] == made["metadata"]["annotations"]
    assert seed["stringData"] == made["stringData"]
    assert seed["type"] == made["type"]


def test_key_vault_secrets_the_platform_store_reads_are_placeholders() -> None:
    """Every Key Vault secret an Argo CD ExternalSecret reads is written by Terraform or set out of band."""
    variables = (TF_DIR / "modules" / "keyvault" / "variables.tf").read_text(encoding="utf-8")
    block = variables[variables.index('variable "secret_names"') :]
    placeholders = set(json.loads(re.search(r"default\s+=\s+(\[[^\]]*\])", block)[1]))  # type: ignore[index]
    notifications = external_secret("argocd-notifications-secret")
    read = {d["remoteRef"]["key"] for d in notifications["spec"]["data"]}
    assert read == {"argocd-oncall-webhook-url"}
    assert read <= placeholders
