"""contract.render: the offline view of an environment's GitOps files the platform contract test checks."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import contract
import pytest
import wiring
from components.core import CoreOutputsError
from pulumi_mocks import CORE_OUTPUTS

PROJECT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "gitops"
EXAMPLES = PROJECT / "examples"
CONTRACT = PROJECT.parents[1] / "docs" / "platform-contract.md"
# What every Terraform env root outputs (the brief of issue #17); Pulumi may read only these.
TERRAFORM_OUTPUTS = frozenset(
    "resource_group_name aks_oidc_issuer_url postgres_server_name postgres_fqdn key_vault_name key_vault_id "
    "dns_zone_name dns_zone_resource_group_name ingress_ip container_registry_id argocd_principal_id "
    "argocd_client_id acr_login_server tenant_id pod_cidr postgres_subnet_cidr frontdoor_id "
    "frontdoor_profile_name frontdoor_endpoint_name ingress_ip_name ingress_ip_resource_group "
    "workload_identity_client_id gitops_wiring front_door_backend_cidrs".split()
)


def env_keys(text: str) -> list[str]:
    """The keys of KEY=value lines."""
    return [line.split("=", 1)[0] for line in text.splitlines() if line and not line.startswith("#")]


def test_shared_cluster_files_carry_exactly_the_contract_wiring_keys() -> None:
    """pr-123's platform.env has the contract table's keys, in its order; every overlay file is returned."""
    rendered = contract.render(EXAMPLES / "Pulumi.pr-123.yaml", CORE_OUTPUTS, FIXTURE)
    overlay = "gitops/kustomize/overlays/pr-123/"
    assert set(rendered["files"]) == {
        overlay + name
        for name in ("kustomization.yaml", "platform.env", "config.env", "environment.yaml", "deployment-size.yaml")
    }
    documented = re.findall(r"^\| `([A-Z_]+)` \|", CONTRACT.read_text(encoding="utf-8"), re.MULTILINE)
    assert env_keys(rendered["files"][overlay + "platform.env"]) == documented == list(wiring.KEYS)
    assert rendered["exports"]["wiring"]["NAMESPACE"] == "medqa-pr-123"


def test_dedicated_files_include_the_argocd_registration() -> None:
    """perf (dedicated) also gets its cluster Secret."""
    rendered = contract.render(EXAMPLES / "Pulumi.perf.yaml", CORE_OUTPUTS, FIXTURE)
    assert "gitops/clusters/dev/perf.yaml" in rendered["files"]
    assert rendered["exports"]["cluster"] == "perf"


def test_terraform_output_json_is_accepted() -> None:
    """`terraform output -json` values ({"value": ..., "type": ...}) render the same as plain ones."""
    wrapped = {key: {"value": value, "type": "string", "sensitive": False} for key, value in CORE_OUTPUTS.items()}
    plain = contract.render(EXAMPLES / "Pulumi.pr-123.yaml", CORE_OUTPUTS, FIXTURE)
    assert contract.render(EXAMPLES / "Pulumi.pr-123.yaml", wrapped, FIXTURE)["files"] == plain["files"]


def test_a_missing_core_output_is_named() -> None:
    """A Terraform root without an output Pulumi reads fails with that output's name."""
    core = {key: value for key, value in CORE_OUTPUTS.items() if key != "frontdoor_endpoint_name"}
    with pytest.raises(CoreOutputsError, match="lacks the outputs frontdoor_endpoint_name:"):
        contract.render(EXAMPLES / "Pulumi.pr-123.yaml", core, FIXTURE)


def test_front_door_ranges_that_are_no_cidrs_are_refused() -> None:
    """A malformed front_door_backend_cidrs stops the run before ingress-nginx would reject its config."""
    core = {**CORE_OUTPUTS, "front_door_backend_cidrs": "147.243.0.0/16,AzureFrontDoor.Backend"}
    with pytest.raises(
        CoreOutputsError, match=re.escape("front_door_backend_cidrs holds non-CIDR entries: 'AzureFrontDoor.Backend'")
    ):
        contract.render(EXAMPLES / "Pulumi.perf.yaml", core, FIXTURE)


def test_every_output_pulumi_reads_is_one_terraform_makes_and_is_documented() -> None:
    """The outputs Pulumi reads are among the env roots' outputs, and the README lists each one."""
    names = contract.output_names()
    assert set(names) <= TERRAFORM_OUTPUTS
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert [name for name in names if f"`{name}`" not in readme] == []


def test_the_render_date_defaults_to_the_day_before_expiry() -> None:
    """A committed example with a fixed expiresOn renders on any day; an explicit today past it is refused."""
    import config

    with pytest.raises(config.ConfigError, match="expiresOn"):
        contract.render(EXAMPLES / "Pulumi.pr-123.yaml", CORE_OUTPUTS, FIXTURE, today=date(2027, 1, 1))
