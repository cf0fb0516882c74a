"""The environment roots agree with the contract: one registry, the outputs Pulumi reads, the wiring keys.

The last test is also the worked example of reading a root's planned ``output.gitops_wiring``
offline: ``terraform test -filter=tests/contract.tftest.hcl -json -verbose`` prints one
``test_plan`` message per plan-only run block, whose ``test_plan.output_changes.<name>.after``
holds the planned value (``after_unknown`` marks what only apply knows).
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.platform.gitops.sources import contract_wiring_keys
from tests.platform.terraform.conftest import REPO, TF_DIR

ENVIRONMENTS = {"dev": "10.20.0.0/20", "staging": "10.40.0.0/20", "prod": "10.30.0.0/20"}
APPLY_TIME_KEYS = {"WORKLOAD_IDENTITY_CLIENT_ID", "MIGRATE_WORKLOAD_IDENTITY_CLIENT_ID", "TENANT_ID", "FRONT_DOOR_ID"}


def module_sources(root: Path) -> set[Path]:
    """Every local module folder a root calls, transitively."""
    seen: set[Path] = set()
    pending = [root]
    while pending:
        folder = pending.pop()
        for tf in folder.glob("*.tf"):
            for source in re.findall(r'^\s*source\s*=\s*"(\.{1,2}/[^"]+)"', tf.read_text(), re.MULTILINE):
                called = (folder / source).resolve()
                if called not in seen:
                    seen.add(called)
                    pending.append(called)
    return seen


def declared_outputs(root: Path) -> list[str]:
    """The output names a root declares."""
    return re.findall(r'^output "([^"]+)"', (root / "outputs.tf").read_text(), re.MULTILINE)


def pulumi_core_outputs() -> list[str]:
    """The Terraform output names platform/pulumi/components/core.py reads (CoreOutputs fields)."""
    tree = ast.parse((REPO / "platform" / "pulumi" / "components" / "core.py").read_text())
    core = next(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == "CoreOutputs")
    return [n.target.id for n in core.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)]


@pytest.mark.parametrize("env", sorted(ENVIRONMENTS))
def test_environment_roots_use_the_shared_registry_only(env: str) -> None:
    called = module_sources(TF_DIR / "environments" / env)
    assert (TF_DIR / "modules" / "registry_access").resolve() in called
    assert (TF_DIR / "modules" / "acr").resolve() not in called, f"{env} must not make a registry of its own"


def test_only_the_acr_module_declares_a_registry() -> None:
    declaring = sorted(
        tf.relative_to(TF_DIR).as_posix()
        for tf in TF_DIR.rglob("*.tf")
        if re.search(r'^resource "azurerm_container_registry"', tf.read_text(), re.MULTILINE)
    )
    assert declaring == ["modules/acr/main.tf"]
    assert (TF_DIR / "modules" / "acr").resolve() in module_sources(TF_DIR / "environments" / "shared")


def test_every_environment_root_has_the_same_outputs_with_descriptions() -> None:
    texts = {env: (TF_DIR / "environments" / env / "outputs.tf").read_text() for env in ENVIRONMENTS}
    assert len(set(texts.values())) == 1, "dev, staging and prod must declare identical outputs"
    blocks = re.findall(r'^output "([^"]+)" \{(.*?)^\}', texts["dev"], re.MULTILINE | re.DOTALL)
    assert all(re.search(r'description\s+=\s+"[A-Z].*\."', body) for _, body in blocks)


def test_environment_outputs_cover_what_pulumi_and_the_overlays_read() -> None:
    names = set(declared_outputs(TF_DIR / "environments" / "dev"))
    wanted = set(pulumi_core_outputs()) | {
        "acr_login_server", "tenant_id", "pod_cidr", "postgres_subnet_cidr", "frontdoor_id",
        "frontdoor_profile_name", "frontdoor_endpoint_name", "ingress_ip_name", "ingress_ip_resource_group",
        "workload_identity_client_id", "gitops_wiring",
    }  # fmt: skip
    assert len(pulumi_core_outputs()) >= 12
    assert not wanted - names, f"missing outputs: {sorted(wanted - names)}"


@pytest.mark.parametrize(("env", "space"), sorted(ENVIRONMENTS.items()))
def test_address_spaces_follow_the_contract(env: str, space: str) -> None:
    tfvars = (TF_DIR / "environments" / env / "terraform.tfvars").read_text()
    assert re.search(rf'^address_space\s+=\s+"{re.escape(space)}"$', tfvars, re.MULTILINE)
    # The origin is derived (origin.<env>.<zone>); the old .example.org input is gone.
    assert "origin_host_name" not in tfvars + (TF_DIR / "environments" / env / "variables.tf").read_text()


@pytest.mark.parametrize("env", sorted(ENVIRONMENTS))
def test_contract_test_is_plan_only_with_mocks(env: str) -> None:
    text = (TF_DIR / "environments" / env / "tests" / "contract.tftest.hcl").read_text()
    assert 'mock_provider "azurerm"' in text
    assert re.findall(r"command\s+=\s+(\w+)", text) == ["plan"]


@pytest.mark.slow
def test_planned_gitops_wiring_can_be_read_offline(tmp_path: Path, providers: Path) -> None:
    platform = tmp_path / "platform"
    platform.mkdir()
    shutil.copy(REPO / "platform" / "conventions.json", platform / "conventions.json")
    shutil.copytree(TF_DIR, platform / "terraform", ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    # The monitoring module builds its rule groups from the repository's rule files.
    rules = Path("observability") / "prometheus" / "rules"
    shutil.copytree(REPO / rules, tmp_path / rules)
    root = platform / "terraform" / "environments" / "staging"
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_CLI_CONFIG_FILE": str(tmp_path / "none.tfrc")}
    init = ["terraform", "init", "-backend=false", f"-plugin-dir={providers}", "-no-color"]
    subprocess.run(init, cwd=root, env=env, check=True, capture_output=True)
    test = ["terraform", "test", "-filter=tests/contract.tftest.hcl", "-json", "-verbose", "-no-color"]
    result = subprocess.run(test, cwd=root, env=env, check=True, capture_output=True, text=True, timeout=600)
    plans = [m["test_plan"] for m in map(json.loads, result.stdout.splitlines()) if m["type"] == "test_plan"]
    wiring = plans[0]["output_changes"]["gitops_wiring"]
    known, unknown = wiring["after"], set(wiring.get("after_unknown") or {})
    assert set(known) | unknown == set(contract_wiring_keys())
    assert unknown <= APPLY_TIME_KEYS
    assert known["POSTGRES_SUBNET_CIDR"] == "10.40.8.0/27" and known["PUBLIC_HOST"] == "staging.medqa.example.com"
    assert all(isinstance(v, str) for v in known.values())
