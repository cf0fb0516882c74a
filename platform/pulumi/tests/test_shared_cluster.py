"""The shared-cluster shape under Pulumi mocks: what it creates on top of the core, and how."""

from __future__ import annotations

import re
import runpy
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi_mocks import (
    CORE_OUTPUTS,
    ENDPOINT_HOST,
    SUBSCRIPTION,
    AzureMocks,
    is_secret,
    mock_guid,
    unwrap,
    use_mocks,
)

TODAY = date.today()
VALUES: dict[str, Any] = {
    "environment": "preview",
    "shape": "shared-cluster",
    "owner": "team-medqa",
    "costCenter": "cc-4711",
    "expiresOn": (TODAY + timedelta(days=7)).isoformat(),
    "core": {"backend": "remote", "organization": "medqa", "workspace": "medqa-dev"},
    "geminiApiKey": "test-gemini-key",
}
PROJECT = Path(__file__).resolve().parents[1]
CONTRACT = PROJECT.parents[1] / "docs" / "platform-contract.md"
# The wiring keys as the contract's table lists them: | `KEY` | ...
CONTRACT_KEYS = tuple(re.findall(r"^\| `([A-Z_]+)` \|", CONTRACT.read_text(encoding="utf-8"), re.MULTILINE))


def setup(values: dict[str, Any] | None = None, core: dict[str, Any] | None = None) -> tuple[AzureMocks, Any]:
    """Install mocks for stack pr-123, then import the program (mocks first, as Pulumi requires)."""
    mocks = use_mocks("pr-123", VALUES if values is None else values, core)
    import config
    import environment

    return mocks, lambda: environment.build(config.load())


def expected_tags() -> dict[str, str]:
    """The convention's tags for this environment, spelled out."""
    return {
        "workload": "medqa",
        "environment": "preview",
        "owner": "team-medqa",
        "cost_center": "cc-4711",
        "managed_by": "pulumi",
        "repository": "medqa-platform",
        "expires_on": VALUES["expiresOn"],
        "environment_name": "pr-123",
    }


def test_creates_only_its_own_resources_next_to_the_core() -> None:
    """Resource group, identity + federation, database + Entra login, one secret, Front Door host; no cluster."""
    mocks, build = setup()

    @pulumi.runtime.test
    def check() -> pulumi.Output[Any]:
        env = build()
        return env.edge.hostname.apply(lambda _: None)

    check()
    types = sorted(r.typ for r in mocks.resources if r.typ.startswith("azure-native:"))
    assert types == sorted(
        [
            "azure-native:resources:ResourceGroup",
            "azure-native:managedidentity:UserAssignedIdentity",
            "azure-native:managedidentity:FederatedIdentityCredential",
            "azure-native:managedidentity:UserAssignedIdentity",
            "azure-native:managedidentity:FederatedIdentityCredential",
            "azure-native:dbforpostgresql:Database",
            "azure-native:dbforpostgresql:Administrator",
            "azure-native:keyvault:Secret",
            "azure-native:authorization:RoleAssignment",
            "azure-native:cdn:AFDOriginGroup",
            "azure-native:cdn:AFDOrigin",
            "azure-native:cdn:AFDCustomDomain",
            "azure-native:cdn:Route",
            "azure-native:dns:RecordSet",
            "azure-native:dns:RecordSet",
            "azure-native:dns:RecordSet",
        ]
    )


@pulumi.runtime.test
def test_identity_federates_the_namespace_service_account_with_the_core_cluster() -> pulumi.Output[Any]:
    """The federated credential trusts medqa-pr-123/medqa tokens from the dev cluster's issuer only."""
    _, build = setup()
    env = build()
    credential = env.identity.credential

    def check(values: list[Any]) -> None:
        issuer, subject, audiences, identity_name = values
        assert issuer == CORE_OUTPUTS["aks_oidc_issuer_url"]
        assert subject == "system:serviceaccount:medqa-pr-123:medqa"
        assert audiences == ["api://AzureADTokenExchange"]
        assert identity_name == "id-medqa-preview-weu-pr-123"

    return pulumi.Output.all(
        credential.issuer,
        credential.subject,
        credential.audiences,
        env.identity.identity.name,
    ).apply(check)


@pulumi.runtime.test
def test_database_lives_on_the_core_server() -> pulumi.Output[Any]:
    """A database of its own, on the server Terraform made, in the core's resource group."""
    mocks, build = setup()
    database = build().database.database

    def check(name: str) -> None:
        inputs = mocks.of_type("azure-native:dbforpostgresql:Database")[0].inputs
        assert name == "medqa_pr_123"
        assert inputs["serverName"] == CORE_OUTPUTS["postgres_server_name"]
        assert inputs["resourceGroupName"] == CORE_OUTPUTS["resource_group_name"]
        assert (inputs["charset"], inputs["collation"]) == ("UTF8", "en_US.utf8")

    return database.name.apply(check)


def test_the_migrate_identity_is_the_entra_administrator_of_the_core_server() -> None:
    """The migrate identity signs in as a role named after itself; the service's identity is no administrator."""
    mocks, build = setup()
    pulumi.runtime.test(lambda: build().edge.hostname)()
    (admin,) = mocks.of_type("azure-native:dbforpostgresql:Administrator")
    assert admin.inputs == {
        "serverName": CORE_OUTPUTS["postgres_server_name"],
        "resourceGroupName": CORE_OUTPUTS["resource_group_name"],
        "objectId": mock_guid("principal/id-medqa-preview-weu-pr-123-migrate"),
        "principalName": "id-medqa-preview-weu-pr-123-migrate",
        "principalType": "ServicePrincipal",
        "tenantId": CORE_OUTPUTS["tenant_id"],
    }
    assert mocks.waits_for(admin.name, "dbforpostgresql:Database", "medqa-pr-123-db")


def test_only_the_gemini_key_is_stored_prefixed_and_readable_by_its_identity_only() -> None:
    """One secret in the shared core vault, named after the environment; Secrets User on that secret alone."""
    mocks, build = setup()
    pulumi.runtime.test(lambda: build().edge.hostname)()
    (secret,) = mocks.of_type("azure-native:keyvault:Secret")
    assert secret.inputs["secretName"] == "pr-123-gemini-api-key"
    assert secret.inputs["vaultName"] == CORE_OUTPUTS["key_vault_name"]
    assert unwrap(secret.inputs["properties"])["value"] == "test-gemini-key"
    assert is_secret(secret.inputs["properties"])
    (assignment,) = [r.inputs for r in mocks.of_type("azure-native:authorization:RoleAssignment")]
    assert assignment["scope"] == f"{CORE_OUTPUTS['key_vault_id']}/secrets/pr-123-gemini-api-key"
    assert assignment["principalId"] == mock_guid("principal/id-medqa-preview-weu-pr-123")
    assert assignment["principalType"] == "ServicePrincipal"
    assert assignment["roleDefinitionId"] == (
        f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/"
        "4633458b-17de-408a-b874-0445c86b69e6"
    )


def records(mocks: AzureMocks) -> dict[tuple[str, str], dict[str, Any]]:
    """The DNS records made, by (type, label)."""
    made = mocks.of_type("azure-native:dns:RecordSet")
    return {(r.inputs["recordType"], r.inputs["relativeRecordSetName"]): r.inputs for r in made}


def test_host_is_a_front_door_custom_domain_on_the_core_profile() -> None:
    """pr-123.<zone> is a custom domain + route on the core endpoint, its origin the core ingress by name."""
    mocks, build = setup()
    pulumi.runtime.test(lambda: build().edge.hostname)()
    afd = {"profileName": "afd-medqa-dev-weu", "resourceGroupName": CORE_OUTPUTS["resource_group_name"]}
    (domain,) = [r.inputs for r in mocks.of_type("azure-native:cdn:AFDCustomDomain")]
    assert domain == {
        **afd,
        "customDomainName": "medqa-pr-123",
        "hostName": "pr-123.medqa.example.com",
        "tlsSettings": {"certificateType": "ManagedCertificate", "minimumTlsVersion": "TLS12"},
    }
    (origin,) = [r.inputs for r in mocks.of_type("azure-native:cdn:AFDOrigin")]
    assert (origin["hostName"], origin["originHostHeader"]) == (
        "origin.pr-123.medqa.example.com",
        "pr-123.medqa.example.com",
    )
    assert origin["enforceCertificateNameCheck"] is True
    (group,) = [r.inputs for r in mocks.of_type("azure-native:cdn:AFDOriginGroup")]
    assert group["healthProbeSettings"]["probePath"] == "/healthz"
    (route,) = mocks.of_type("azure-native:cdn:Route")
    assert (route.inputs["endpointName"], route.inputs["patternsToMatch"]) == ("medqa-dev", ["/*"])
    assert route.inputs["customDomains"][0]["id"].endswith("/AFDCustomDomain/medqa-pr-123")
    assert route.inputs["originGroup"]["id"].endswith("/AFDOriginGroup/medqa-pr-123")
    assert (route.inputs["forwardingProtocol"], route.inputs["linkToDefaultDomain"]) == ("HttpsOnly", "Disabled")
    assert mocks.waits_for(route.name, "cdn:AFDOrigin", "medqa-pr-123-edge-origin")


def test_dns_names_the_front_door_endpoint_not_the_ingress() -> None:
    """CNAME pr-123 -> the endpoint, TXT _dnsauth.pr-123 validates the domain, A origin.pr-123 -> the ingress."""
    mocks, build = setup()
    pulumi.runtime.test(lambda: build().edge.hostname)()
    made = records(mocks)
    assert set(made) == {("CNAME", "pr-123"), ("TXT", "_dnsauth.pr-123"), ("A", "origin.pr-123")}
    assert made[("CNAME", "pr-123")]["cnameRecord"] == {"cname": ENDPOINT_HOST}
    assert made[("TXT", "_dnsauth.pr-123")]["txtRecords"] == [{"value": ["token-medqa-pr-123"]}]
    assert made[("A", "origin.pr-123")]["aRecords"] == [{"ipv4Address": CORE_OUTPUTS["ingress_ip"]}]
    for record in made.values():
        assert (record["zoneName"], record["resourceGroupName"], record["ttl"]) == (
            CORE_OUTPUTS["dns_zone_name"],
            CORE_OUTPUTS["dns_zone_resource_group_name"],
            300,
        )
    endpoint = next(c for c in mocks.calls if c.token == "azure-native:cdn:getAFDEndpoint")
    assert endpoint.args == {
        "endpointName": "medqa-dev",
        "profileName": "afd-medqa-dev-weu",
        "resourceGroupName": CORE_OUTPUTS["resource_group_name"],
    }


def test_every_taggable_resource_carries_the_convention_tags() -> None:
    """Resource group, identity, secrets (tags) and the DNS record (metadata) all carry the same tags."""
    mocks, build = setup()
    pulumi.runtime.test(lambda: build().edge.hostname)()
    tagged = [r for r in mocks.resources if "tags" in r.inputs or "metadata" in r.inputs]
    assert {r.typ for r in tagged} == {
        "azure-native:resources:ResourceGroup",
        "azure-native:managedidentity:UserAssignedIdentity",
        "azure-native:keyvault:Secret",
        "azure-native:dns:RecordSet",
    }
    assert len([r for r in tagged if r.typ == "azure-native:dns:RecordSet"]) == 3
    for resource in tagged:
        assert resource.inputs.get("tags", resource.inputs.get("metadata")) == expected_tags(), resource.name
    group = mocks.of_type("azure-native:resources:ResourceGroup")[0].inputs
    assert group["resourceGroupName"] == "rg-medqa-preview-weu-pr-123"


def exports() -> dict[str, Any]:
    """The resolved stack outputs of pr-123."""
    _, build = setup()
    exported: dict[str, Any] = {}
    pulumi.runtime.test(lambda: pulumi.Output.from_input(build().exports).apply(exported.update))()
    return exported


def test_stack_outputs_carry_every_wiring_key_of_the_contract() -> None:
    """The `wiring` output has exactly the contract's keys, filled from the core outputs and its own resources."""
    exported = exports()
    assert (exported["namespace"], exported["cluster"], exported["shape"]) == (
        "medqa-pr-123",
        "dev",
        "shared-cluster",
    )
    assert exported["wiring"] == {
        "ENVIRONMENT": "pr-123",
        "NAMESPACE": "medqa-pr-123",
        "SERVICE_ACCOUNT": "medqa",
        "WORKLOAD_IDENTITY_CLIENT_ID": mock_guid("client/id-medqa-preview-weu-pr-123"),
        "TENANT_ID": CORE_OUTPUTS["tenant_id"],
        "KEY_VAULT_URL": "https://kvmedqadevweu.vault.azure.net/",
        "GEMINI_SECRET_NAME": "pr-123-gemini-api-key",
        "POSTGRES_HOST": CORE_OUTPUTS["postgres_fqdn"],
        "POSTGRES_DATABASE": "medqa_pr_123",
        "POSTGRES_USER": "id-medqa-preview-weu-pr-123",
        "POSTGRES_SUBNET_CIDR": "10.20.8.0/27",
        "POD_CIDR": "192.168.0.0/16",
        "ACR_LOGIN_SERVER": "crmedqasharedweu.azurecr.io",
        "PUBLIC_HOST": "pr-123.medqa.example.com",
        "ORIGIN_HOST": "origin.pr-123.medqa.example.com",
        "INGRESS_CLASS": "nginx",
        "TLS_SECRET": "medqa-tls",
        "FRONT_DOOR_ID": CORE_OUTPUTS["frontdoor_id"],
        "MIGRATE_SERVICE_ACCOUNT": "medqa-migrate",
        "MIGRATE_WORKLOAD_IDENTITY_CLIENT_ID": mock_guid("client/id-medqa-preview-weu-pr-123-migrate"),
        "MIGRATE_POSTGRES_USER": "id-medqa-preview-weu-pr-123-migrate",
    }
    assert list(exported["wiring"]) == list(CONTRACT_KEYS)


def test_missing_core_outputs_are_named() -> None:
    """A dev state without the needed outputs fails with the missing names, not a KeyError."""
    core = {k: v for k, v in CORE_OUTPUTS.items() if k not in ("ingress_ip", "key_vault_id", "pod_cidr")}
    _, build = setup(core={**core, "frontdoor_id": ""})
    with pytest.raises(
        Exception,
        match="lacks the outputs key_vault_id, ingress_ip, pod_cidr, frontdoor_id: apply the dev environment first",
    ):
        pulumi.runtime.test(lambda: build().edge.hostname)()


def test_missing_gemini_key_is_refused() -> None:
    """Without the secret config value the program stops before creating anything."""
    import config

    values = {k: v for k, v in VALUES.items() if k != "geminiApiKey"}
    mocks, build = setup(values)
    with pytest.raises(config.ConfigError, match="geminiApiKey is required"):
        build()
    assert mocks.resources == []


def test_invalid_stack_config_creates_nothing() -> None:
    """A config breaking a guard rail is refused before any resource is registered."""
    import config

    mocks, build = setup({**VALUES, "expiresOn": None})
    with pytest.raises(config.ConfigError, match="expiresOn is required for a preview environment"):
        build()
    assert mocks.resources == []


def test_main_module_builds_the_stack() -> None:
    """__main__.py (what `pulumi up` runs) reads config and builds the environment."""
    mocks, _ = setup()
    pulumi.runtime.test(lambda: runpy.run_path(str(PROJECT / "__main__.py")) and None)()
    assert any(r.typ == "medqa:environments:SharedCluster" for r in mocks.resources)


def test_local_core_state_is_read_from_its_path() -> None:
    """The local backend reads a state file (for a `terraform state pull` copy)."""
    mocks, build = setup({**VALUES, "core": {"backend": "local", "path": "state/dev.tfstate"}})
    pulumi.runtime.test(lambda: build().edge.hostname)()
    call = next(c for c in mocks.calls if c.token.startswith("terraform:"))
    assert (call.token, call.args["path"]) == (
        "terraform:state:getLocalReference",
        "state/dev.tfstate",
    )


def test_remote_core_state_names_the_workspace() -> None:
    """The remote backend asks HCP Terraform for the dev workspace of the organization."""
    mocks, build = setup()
    pulumi.runtime.test(lambda: build().edge.hostname)()
    call = next(c for c in mocks.calls if c.token.startswith("terraform:"))
    assert call.token == "terraform:state:getRemoteReference"
    assert (call.args["organization"], call.args["workspaces"]) == (
        "medqa",
        {"name": "medqa-dev"},
    )
