"""The shared-cluster shape under Pulumi mocks: what it creates on top of the core, and how."""

from __future__ import annotations

import runpy
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi_mocks import (
    CORE_OUTPUTS,
    SUBSCRIPTION,
    AzureMocks,
    is_secret,
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
    """Resource group, identity + federation, database, two secrets with readers, DNS record; no cluster or server."""
    mocks, build = setup()

    @pulumi.runtime.test
    def check() -> pulumi.Output[Any]:
        env = build()
        return env.dns.hostname.apply(lambda _: None)

    check()
    types = sorted(r.typ for r in mocks.resources if r.typ.startswith("azure-native:"))
    assert types == sorted(
        [
            "azure-native:resources:ResourceGroup",
            "azure-native:managedidentity:UserAssignedIdentity",
            "azure-native:managedidentity:FederatedIdentityCredential",
            "azure-native:dbforpostgresql:Database",
            "azure-native:keyvault:Secret",
            "azure-native:keyvault:Secret",
            "azure-native:authorization:RoleAssignment",
            "azure-native:authorization:RoleAssignment",
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


@pulumi.runtime.test
def test_secrets_are_prefixed_secret_and_readable_by_its_identity_only() -> pulumi.Output[Any]:
    """Secrets in the core vault carry the environment's prefix; each grants Secrets User on itself alone."""
    mocks, build = setup()
    env = build()
    gemini = env.secrets.secrets["pr-123-gemini-api-key"]
    url = env.secrets.secrets["pr-123-database-url"]

    def check(values: list[Any]) -> None:
        gemini_name, url_name, principal = values
        secrets = {r.inputs["secretName"]: r.inputs for r in mocks.of_type("azure-native:keyvault:Secret")}
        assert (gemini_name, url_name) == (
            "pr-123-gemini-api-key",
            "pr-123-database-url",
        )
        assert unwrap(secrets[gemini_name]["properties"])["value"] == "test-gemini-key"
        assert unwrap(secrets[url_name]["properties"])["value"] == (
            "postgresql://id-medqa-preview-weu-pr-123@"
            f"{CORE_OUTPUTS['postgres_fqdn']}:5432/medqa_pr_123?sslmode=verify-full"
        )
        assert {s["vaultName"] for s in secrets.values()} == {CORE_OUTPUTS["key_vault_name"]}
        assignments = [r.inputs for r in mocks.of_type("azure-native:authorization:RoleAssignment")]
        assert sorted(a["scope"] for a in assignments) == [
            f"{CORE_OUTPUTS['key_vault_id']}/secrets/pr-123-database-url",
            f"{CORE_OUTPUTS['key_vault_id']}/secrets/pr-123-gemini-api-key",
        ]
        for assignment in assignments:
            assert assignment["principalId"] == principal
            assert assignment["principalType"] == "ServicePrincipal"
            assert assignment["roleDefinitionId"] == (
                f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/"
                "4633458b-17de-408a-b874-0445c86b69e6"
            )

    return pulumi.Output.all(gemini.name, url.name, env.identity.principal_id).apply(check)


def test_secret_values_stay_secret() -> None:
    """The Gemini key and the database URL travel as secrets, so state and logs never show them."""
    mocks, build = setup()
    pulumi.runtime.test(lambda: build().dns.hostname)()
    secrets = mocks.of_type("azure-native:keyvault:Secret")
    assert len(secrets) == 2
    assert all(is_secret(r.inputs["properties"]) for r in secrets)


@pulumi.runtime.test
def test_dns_record_points_the_environment_name_at_the_shared_ingress() -> pulumi.Output[Any]:
    """An A record pr-123 in the core zone, to the core ingress address."""
    mocks, build = setup()
    env = build()
    record = env.dns.record

    def check(values: list[Any]) -> None:
        label, records, ttl, hostname = values
        inputs = mocks.of_type("azure-native:dns:RecordSet")[0].inputs
        assert label == "pr-123"
        assert (
            inputs["zoneName"],
            inputs["resourceGroupName"],
            inputs["recordType"],
        ) == (
            CORE_OUTPUTS["dns_zone_name"],
            CORE_OUTPUTS["dns_zone_resource_group_name"],
            "A",
        )
        assert inputs["aRecords"] == [{"ipv4Address": CORE_OUTPUTS["ingress_ip"]}]
        assert len(records) == 1
        assert ttl == 300
        assert hostname == "pr-123.medqa.example.com"

    return pulumi.Output.all(record.name, record.a_records, record.ttl, env.dns.hostname).apply(check)


def test_every_taggable_resource_carries_the_convention_tags() -> None:
    """Resource group, identity, secrets (tags) and the DNS record (metadata) all carry the same tags."""
    mocks, build = setup()
    pulumi.runtime.test(lambda: build().dns.hostname)()
    tagged = [r for r in mocks.resources if "tags" in r.inputs or "metadata" in r.inputs]
    assert {r.typ for r in tagged} == {
        "azure-native:resources:ResourceGroup",
        "azure-native:managedidentity:UserAssignedIdentity",
        "azure-native:keyvault:Secret",
        "azure-native:dns:RecordSet",
    }
    for resource in tagged:
        assert resource.inputs.get("tags", resource.inputs.get("metadata")) == expected_tags(), resource.name
    group = mocks.of_type("azure-native:resources:ResourceGroup")[0].inputs
    assert group["resourceGroupName"] == "rg-medqa-preview-weu-pr-123"


def test_stack_outputs_feed_the_gitops_overlay() -> None:
    """The exports envctl reads: namespace, host, identity, vault and secret names."""
    _, build = setup()
    exported: dict[str, Any] = {}

    @pulumi.runtime.test
    def check() -> pulumi.Output[Any]:
        env = build()
        return pulumi.Output.from_input(env.exports).apply(exported.update)

    check()
    assert exported["namespace"] == "medqa-pr-123"
    assert exported["hostname"] == "pr-123.medqa.example.com"
    assert exported["key_vault_name"] == "kvmedqadevweu"
    assert exported["secret_names"] == {
        "gemini-api-key": "pr-123-gemini-api-key",
        "database-url": "pr-123-database-url",
    }
    assert exported["shape"] == "shared-cluster"


def test_missing_core_outputs_are_named() -> None:
    """A dev state without the needed outputs fails with the missing names, not a KeyError."""
    core = {k: v for k, v in CORE_OUTPUTS.items() if k not in ("ingress_ip", "key_vault_id")}
    _, build = setup(core=core)
    with pytest.raises(
        Exception,
        match="lacks the outputs key_vault_id, ingress_ip: apply the dev environment first",
    ):
        pulumi.runtime.test(lambda: build().dns.hostname)()


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
    pulumi.runtime.test(lambda: build().dns.hostname)()
    call = next(c for c in mocks.calls if c.token.startswith("terraform:"))
    assert (call.token, call.args["path"]) == (
        "terraform:state:getLocalReference",
        "state/dev.tfstate",
    )


def test_remote_core_state_names_the_workspace() -> None:
    """The remote backend asks HCP Terraform for the dev workspace of the organization."""
    mocks, build = setup()
    pulumi.runtime.test(lambda: build().dns.hostname)()
    call = next(c for c in mocks.calls if c.token.startswith("terraform:"))
    assert call.token == "terraform:state:getRemoteReference"
    assert (call.args["organization"], call.args["workspaces"]) == (
        "medqa",
        {"name": "medqa-dev"},
    )
