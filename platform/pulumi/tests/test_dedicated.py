"""The dedicated shape under Pulumi mocks: a capped, private copy of the stack that Argo CD can target."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pulumi
import pytest
import wiring
from pulumi_mocks import (
    CA_DATA,
    CORE_OUTPUTS,
    SUBSCRIPTION,
    TENANT,
    AzureMocks,
    is_secret,
    mock_guid,
    unwrap,
    use_mocks,
)

VALUES: dict[str, Any] = {
    "environment": "perf",
    "shape": "dedicated",
    "location": "swedencentral",
    "owner": "team-medqa",
    "costCenter": "cc-4711",
    "expiresOn": (date.today() + timedelta(days=20)).isoformat(),
    "core": {"backend": "remote", "organization": "medqa", "workspace": "medqa-dev"},
    "cluster": {"vmSize": "Standard_D4s_v5", "nodeCount": 2, "maxNodeCount": 3, "addressSpace": "10.60.0.0/16"},
    "geminiApiKey": "test-gemini-key",
}
ROLE = f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/"


def setup(values: dict[str, Any] | None = None) -> tuple[AzureMocks, Any]:
    """Install mocks for stack perf, then import the program."""
    mocks = use_mocks("perf", VALUES if values is None else values)
    import config
    import environment

    return mocks, lambda: environment.build(config.load())


@dataclass
class Built:
    """One run of the program: the mocks' records, the component and its resolved exports."""

    mocks: AzureMocks
    env: Any
    exports: dict[str, Any]


@pytest.fixture(scope="module")
def built() -> Built:
    """Run the whole program once for the tests that only read what it registered (a run takes seconds)."""
    mocks, build = setup()
    holder: list[Any] = []
    exported: dict[str, Any] = {}

    def program() -> pulumi.Output[Any]:
        holder.append(build())
        return pulumi.Output.from_input(holder[0].exports).apply(exported.update)

    pulumi.runtime.test(program)()
    return Built(mocks, holder[0], exported)


def inputs(mocks: AzureMocks, typ: str) -> dict[str, Any]:
    """The inputs of the only resource of ``typ``."""
    (resource,) = mocks.of_type(typ)
    return resource.inputs


def test_creates_the_whole_stack_in_its_own_resource_group(built: Built) -> None:
    """VNet, NSG, AKS, PostgreSQL (+zone, TLS parameters, admin), vault, secrets, identity, role assignments."""
    mocks = built.mocks
    counts: dict[str, int] = {}
    for resource in mocks.resources:
        if resource.typ.startswith("azure-native:"):
            counts[resource.typ.split(":", 1)[1]] = counts.get(resource.typ.split(":", 1)[1], 0) + 1
    assert counts == {
        "resources:ResourceGroup": 1,
        "network:VirtualNetwork": 1,
        "network:NetworkSecurityGroup": 2,
        "network:PublicIPAddress": 1,
        "containerservice:ManagedCluster": 1,
        # The app's and one per add-on (External Secrets, cert-manager, Kyverno).
        "managedidentity:UserAssignedIdentity": 5,
        "managedidentity:FederatedIdentityCredential": 5,
        "privatedns:PrivateZone": 1,
        "privatedns:VirtualNetworkLink": 1,
        "dbforpostgresql:Server": 1,
        "dbforpostgresql:Configuration": 2,
        "dbforpostgresql:Administrator": 1,
        "dbforpostgresql:Database": 1,
        "keyvault:Vault": 1,
        "keyvault:Secret": 1,
        "authorization:RoleAssignment": 7,
        "cdn:AFDOriginGroup": 1,
        "cdn:AFDOrigin": 1,
        "cdn:AFDCustomDomain": 1,
        "cdn:Route": 1,
        "dns:RecordSet": 3,
    }
    assert inputs(mocks, "azure-native:resources:ResourceGroup")["resourceGroupName"] == "rg-medqa-perf-sec"


@pulumi.runtime.test
def test_aks_has_no_local_accounts_and_uses_entra_rbac() -> pulumi.Output[Any]:
    """Local accounts off, managed Entra ID with Azure RBAC, OIDC issuer and workload identity on."""
    mocks, build = setup()
    cluster = build().cluster.cluster

    def check(values: list[Any]) -> None:
        local_off, name = values
        state = inputs(mocks, "azure-native:containerservice:ManagedCluster")
        assert local_off is True
        assert state["aadProfile"] == {"managed": True, "enableAzureRBAC": True, "tenantID": TENANT}
        assert state["oidcIssuerProfile"] == {"enabled": True}
        assert state["securityProfile"] == {"workloadIdentity": {"enabled": True}}
        assert state["sku"] == {"name": "Base", "tier": "Free"}
        assert state["enableRBAC"] is True
        assert name == "aks-medqa-perf-sec"

    return pulumi.Output.all(cluster.disable_local_accounts, cluster.name).apply(check)


@pulumi.runtime.test
def test_aks_node_pool_is_capped_and_private() -> pulumi.Output[Any]:
    """One autoscaling pool within the caps, in the VNet's node subnet, without public node IPs."""
    _, build = setup()
    cluster = build().cluster.cluster

    def check(pools: list[Any]) -> None:
        (pool,) = pools
        assert (pool.vm_size, pool.count, pool.min_count, pool.max_count) == ("Standard_D4s_v5", 2, 2, 3)
        assert pool.enable_auto_scaling is True
        assert pool.enable_node_public_ip is False
        assert pool.vnet_subnet_id.endswith("/vnet-medqa-perf-sec/subnets/snet-aks")

    return cluster.agent_pool_profiles.apply(check)


@pulumi.runtime.test
def test_postgres_is_private_burstable_entra_only_and_tls_only() -> pulumi.Output[Any]:
    """No public access, delegated subnet + private zone, password auth off, TLS >= 1.2 required."""
    mocks, build = setup()
    psql = build().postgres

    def check(values: list[Any]) -> None:
        fqdn, *parameter_values = values
        state = inputs(mocks, "azure-native:dbforpostgresql:Server")
        assert state["network"]["publicNetworkAccess"] == "Disabled"
        assert state["network"]["delegatedSubnetResourceId"].endswith("/subnets/snet-postgres")
        assert state["network"]["privateDnsZoneArmResourceId"].endswith(
            "/psql-medqa-perf-sec.private.postgres.database.azure.com"
        )
        assert state["authConfig"] == {"activeDirectoryAuth": "Enabled", "passwordAuth": "Disabled", "tenantId": TENANT}
        assert state["sku"] == {"name": "Standard_B1ms", "tier": "Burstable"}
        assert state["highAvailability"]["mode"] == "Disabled"
        assert state["backup"]["geoRedundantBackup"] == "Disabled"
        assert state["storage"]["storageSizeGB"] == 32
        assert "administratorLoginPassword" not in state
        configurations = mocks.of_type("azure-native:dbforpostgresql:Configuration")
        parameters = {r.inputs["configurationName"]: r.inputs["value"] for r in configurations}
        assert parameters == {"require_secure_transport": "on", "ssl_min_protocol_version": "TLSv1.2"}
        assert sorted(parameter_values) == ["TLSv1.2", "on"]
        assert fqdn == "psql-medqa-perf-sec.postgres.database.azure.com"

    values = [psql.server.fully_qualified_domain_name, *[parameter.value for parameter in psql.parameters]]
    return pulumi.Output.all(*values).apply(check)


def test_postgres_subnet_admits_only_the_nodes(built: Built) -> None:
    """The database subnet is delegated and its NSG allows 5432 from the node subnet, then denies all."""
    mocks = built.mocks
    subnets = {s["name"]: s for s in inputs(mocks, "azure-native:network:VirtualNetwork")["subnets"]}
    assert subnets["snet-aks"]["addressPrefix"] == "10.60.0.0/21"
    assert subnets["snet-postgres"]["addressPrefix"] == "10.60.8.0/27"
    assert subnets["snet-postgres"]["delegations"][0]["serviceName"] == "Microsoft.DBforPostgreSQL/flexibleServers"
    nsgs = {
        r.inputs["networkSecurityGroupName"]: r.inputs
        for r in mocks.of_type("azure-native:network:NetworkSecurityGroup")
    }
    nsg = nsgs["nsg-medqa-perf-sec"]
    assert subnets["snet-postgres"]["networkSecurityGroup"]["id"].endswith("/nsg-medqa-perf-sec")
    rules = {r["name"]: r for r in nsg["securityRules"]}
    assert (
        rules["allow-aks-postgres"]["sourceAddressPrefix"],
        rules["allow-aks-postgres"]["destinationPortRange"],
    ) == ("10.60.0.0/21", "5432")
    assert (rules["deny-all-inbound"]["access"], rules["deny-all-inbound"]["priority"]) == ("Deny", 4096)
    assert built.exports["wiring"]["POSTGRES_SUBNET_CIDR"] == "10.60.8.0/27"


@pulumi.runtime.test
def test_key_vault_is_rbac_only_and_closed_by_default() -> pulumi.Output[Any]:
    """RBAC authorization, firewall default Deny with only the node subnet allowed."""
    mocks, build = setup()
    vault = build().vault.vault

    def check(name: str) -> None:
        properties = inputs(mocks, "azure-native:keyvault:Vault")["properties"]
        assert properties["enableRbacAuthorization"] is True
        assert properties["networkAcls"]["defaultAction"] == "Deny"
        (rule,) = properties["networkAcls"]["virtualNetworkRules"]
        assert rule["id"].endswith("/vnet-medqa-perf-sec/subnets/snet-aks")
        assert name == "kvmedqaperfsec"

    return vault.name.apply(check)


def test_nodes_take_web_traffic_from_front_door_only(built: Built) -> None:
    """The node subnet's NSG admits 80/443 from AzureFrontDoor.Backend and denies them from the Internet."""
    mocks = built.mocks
    subnets = {s["name"]: s for s in inputs(mocks, "azure-native:network:VirtualNetwork")["subnets"]}
    assert subnets["snet-aks"]["networkSecurityGroup"]["id"].endswith("/nsg-medqa-perf-sec-aks")
    nsgs = {
        r.inputs["networkSecurityGroupName"]: r.inputs
        for r in mocks.of_type("azure-native:network:NetworkSecurityGroup")
    }
    rules = {r["name"]: r for r in nsgs["nsg-medqa-perf-sec-aks"]["securityRules"]}
    allow, deny = rules["allow-frontdoor-web"], rules["deny-internet-web"]
    assert (allow["sourceAddressPrefix"], allow["access"], allow["destinationPortRanges"]) == (
        "AzureFrontDoor.Backend",
        "Allow",
        ["80", "443"],
    )
    assert (deny["sourceAddressPrefix"], deny["access"], deny["priority"]) == ("Internet", "Deny", 200)
    assert allow["priority"] < deny["priority"]


def test_host_is_a_front_door_route_to_its_own_ingress_ip(built: Built) -> None:
    """perf.<zone> on the core profile; origin.perf.<zone> is an A record at the static ingress IP it owns."""
    mocks = built.mocks
    address = inputs(mocks, "azure-native:network:PublicIPAddress")
    assert (address["publicIpAddressName"], address["publicIPAllocationMethod"], address["sku"]["name"]) == (
        "pip-medqa-perf-sec",
        "Static",
        "Standard",
    )
    records = {r.inputs["relativeRecordSetName"]: r.inputs for r in mocks.of_type("azure-native:dns:RecordSet")}
    assert records["origin.perf"]["aRecords"] == [{"ipv4Address": "20.0.0.50"}]
    assert set(records) == {"perf", "_dnsauth.perf", "origin.perf"}
    assert inputs(mocks, "azure-native:cdn:AFDCustomDomain")["hostName"] == "perf.medqa.example.com"
    exported = built.exports
    assert (exported["ingress_ip"], exported["ingress_ip_name"], exported["ingress_ip_resource_group"]) == (
        "20.0.0.50",
        "pip-medqa-perf-sec",
        "rg-medqa-perf-sec",
    )


def test_cluster_has_fqdn_network_policies_and_no_csi_secrets_driver(built: Built) -> None:
    """ACNS security (CiliumNetworkPolicy toFQDNs) on; the Secrets Store CSI add-on is gone (External Secrets)."""
    state = inputs(built.mocks, "azure-native:containerservice:ManagedCluster")
    assert state["networkProfile"]["advancedNetworking"] == {
        "enabled": True,
        "security": {"enabled": True, "advancedNetworkPolicies": "FQDN"},
    }
    assert "azureKeyvaultSecretsProvider" not in state.get("addonProfiles", {})


def test_role_assignments_are_least_privilege(built: Built) -> None:
    """App reads its secret; Argo CD administers the cluster; nodes pull; the cluster uses its group's ingress IP.

    The add-ons: External Secrets reads the new vault, cert-manager writes the shared zone, Kyverno pulls
    signatures from the shared registry.
    """
    mocks = built.mocks
    assignments = [r.inputs for r in mocks.of_type("azure-native:authorization:RoleAssignment")]
    by_role: dict[str, list[dict[str, Any]]] = {}
    for assignment in assignments:
        by_role.setdefault(assignment["roleDefinitionId"].removeprefix(ROLE), []).append(assignment)
    secrets_user = by_role["4633458b-17de-408a-b874-0445c86b69e6"]
    assert sorted(a["scope"].rsplit("/", 1)[1] for a in secrets_user) == ["gemini-api-key", "kvmedqaperfsec"]
    (eso,) = [a for a in secrets_user if a["scope"].endswith("/kvmedqaperfsec")]
    assert eso["principalId"] == mock_guid("principal/id-medqa-perf-sec-eso")
    (dns,) = by_role["befefa01-2a29-4197-83a8-272ff33ce314"]
    assert dns["scope"] == (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-medqa-shared-weu"
        "/providers/Microsoft.Network/dnszones/medqa.example.com"
    )
    assert dns["principalId"] == mock_guid("principal/id-medqa-perf-sec-cert-manager")
    (argocd,) = by_role["b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"]
    assert argocd["principalId"] == CORE_OUTPUTS["argocd_principal_id"]
    assert argocd["scope"].endswith("/aks-medqa-perf-sec")
    pulls = by_role["7f951dda-4ed3-4680-a7ca-43fe172d538d"]
    assert {a["scope"] for a in pulls} == {CORE_OUTPUTS["container_registry_id"]}
    assert {a["principalId"] for a in pulls} == {
        mock_guid("kubelet/aks-medqa-perf-sec"),
        mock_guid("principal/id-medqa-perf-sec-kyverno"),
    }
    (network,) = by_role["4d97b98b-1d4f-4787-a291-c67834d212e7"]
    assert network["principalId"] == mock_guid("cluster/aks-medqa-perf-sec")
    assert network["scope"].endswith("/rg-medqa-perf-sec")
    assert all(a["principalType"] == "ServicePrincipal" for a in assignments)


def test_identities_federate_with_the_new_cluster(built: Built) -> None:
    """The app and each add-on trust their service account of the new cluster, not the core's."""
    credentials = {
        r.inputs["resourceName"]: r.inputs
        for r in built.mocks.of_type("azure-native:managedidentity:FederatedIdentityCredential")
    }
    assert {name: c["subject"] for name, c in credentials.items()} == {
        "id-medqa-perf-sec": "system:serviceaccount:medqa:medqa",
        "id-medqa-perf-sec-migrate": "system:serviceaccount:medqa:medqa-migrate",
        "id-medqa-perf-sec-eso": "system:serviceaccount:external-secrets:external-secrets",
        "id-medqa-perf-sec-cert-manager": "system:serviceaccount:cert-manager:cert-manager",
        "id-medqa-perf-sec-kyverno": "system:serviceaccount:kyverno:kyverno-admission-controller",
    }
    assert {c["issuer"] for c in credentials.values()} == {"https://oidc/aks-medqa-perf-sec/"}


def test_only_the_gemini_key_is_a_secret(built: Built) -> None:
    """The vault holds the Gemini key alone (the database takes Entra tokens); it travels as a secret."""
    (secret,) = built.mocks.of_type("azure-native:keyvault:Secret")
    assert secret.inputs["secretName"] == "gemini-api-key"
    assert is_secret(secret.inputs["properties"])
    assert unwrap(secret.inputs["properties"])["value"] == "test-gemini-key"


def test_the_migrate_identity_administers_its_own_server_and_database(built: Built) -> None:
    """The migrate identity (not the service's) is the server's only Entra administrator; medqa is made after it."""
    mocks = built.mocks
    admin = inputs(mocks, "azure-native:dbforpostgresql:Administrator")
    assert (admin["principalName"], admin["principalType"], admin["tenantId"]) == (
        "id-medqa-perf-sec-migrate",
        "ServicePrincipal",
        TENANT,
    )
    assert admin["objectId"] == mock_guid("principal/id-medqa-perf-sec-migrate")
    wired = built.exports["wiring"]
    assert (wired["MIGRATE_POSTGRES_USER"], wired["POSTGRES_USER"]) == (admin["principalName"], "id-medqa-perf-sec")
    (database,) = mocks.of_type("azure-native:dbforpostgresql:Database")
    assert (database.inputs["databaseName"], database.inputs["serverName"]) == ("medqa", "psql-medqa-perf-sec")
    assert mocks.waits_for(database.name, "dbforpostgresql:Administrator", "medqa-perf-psql-admin")


def test_wiring_points_at_its_own_cluster_resources(built: Built) -> None:
    """Own vault, server, subnet and identity; the shared registry and the core Front Door id."""
    wired = built.exports["wiring"]
    assert list(wired) == list(wiring.KEYS)
    assert {key: wired[key] for key in ("ENVIRONMENT", "NAMESPACE", "KEY_VAULT_URL", "GEMINI_SECRET_NAME")} == {
        "ENVIRONMENT": "perf",
        "NAMESPACE": "medqa",
        "KEY_VAULT_URL": "https://kvmedqaperfsec.vault.azure.net/",
        "GEMINI_SECRET_NAME": "gemini-api-key",
    }
    assert (wired["POSTGRES_HOST"], wired["POSTGRES_DATABASE"], wired["POSTGRES_USER"]) == (
        "psql-medqa-perf-sec.postgres.database.azure.com",
        "medqa",
        "id-medqa-perf-sec",
    )
    assert (wired["TENANT_ID"], wired["POD_CIDR"], wired["ACR_LOGIN_SERVER"]) == (
        TENANT,
        "192.168.0.0/16",
        "crmedqasharedweu.azurecr.io",
    )
    assert wired["WORKLOAD_IDENTITY_CLIENT_ID"] == mock_guid("client/id-medqa-perf-sec")
    assert (wired["PUBLIC_HOST"], wired["FRONT_DOOR_ID"]) == ("perf.medqa.example.com", CORE_OUTPUTS["frontdoor_id"])


def test_exports_carry_the_argocd_registration(built: Built) -> None:
    """API server URL, public CA data and Argo CD's client ID for the cluster Secret envctl writes."""
    exported = built.exports
    assert exported["api_server_url"] == "https://aks-medqa-perf-sec-dns.hcp.westeurope.azmk8s.io:443"
    assert exported["cluster_ca_data"] == CA_DATA
    assert exported["argocd_client_id"] == CORE_OUTPUTS["argocd_client_id"]
    assert exported["cluster_name"] == "aks-medqa-perf-sec"
    assert (exported["namespace"], exported["cluster"]) == ("medqa", "perf")


def test_every_taggable_resource_carries_the_convention_tags(built: Built) -> None:
    """Every resource that takes tags has exactly the convention's tags for this environment."""
    mocks = built.mocks
    tagged = [r for r in mocks.resources if r.typ.startswith("azure-native:") and "tags" in r.inputs]
    assert len(tagged) == 16
    for resource in tagged:
        assert resource.inputs["tags"] == {
            "workload": "medqa",
            "environment": "perf",
            "owner": "team-medqa",
            "cost_center": "cc-4711",
            "managed_by": "pulumi",
            "repository": "medqa-platform",
            "expires_on": VALUES["expiresOn"],
            "environment_name": "perf",
        }, resource.name


@pytest.mark.parametrize(
    ("cluster", "message"),
    [
        ({"nodeCount": 4, "maxNodeCount": 4}, "cluster.nodeCount must be between 1 and 3"),
        ({"vmSize": "Standard_D64s_v5"}, "is not allowed for extra environments"),
    ],
)
def test_oversized_cluster_config_creates_nothing(cluster: dict[str, Any], message: str) -> None:
    """The program stops on an oversized config before registering any resource."""
    import config

    mocks, build = setup({**VALUES, "cluster": cluster})
    with pytest.raises(config.ConfigError, match=message):
        build()
    assert mocks.resources == []


def test_components_enforce_the_caps_without_config() -> None:
    """Used directly, the component args still refuse sizes over the caps."""
    from components import aks, postgres

    with pytest.raises(ValueError, match=r"cluster\.nodeCount must be between 1 and 3"):
        aks.ClusterArgs("aks", "rg", "westeurope", "t", "subnet", "1.34", "Standard_D2s_v5", 10, 10, {})
    with pytest.raises(ValueError, match="is not a burstable SKU"):
        postgres.PostgresServerArgs(
            "psql",
            "rg",
            "westeurope",
            "vnet",
            "subnet",
            "t",
            None,
            {},
            sku_name="Standard_D8ds_v5",  # type: ignore[arg-type]
        )


def test_shapes_refuse_each_others_config() -> None:
    """A shared-cluster config cannot build a dedicated environment, nor the reverse."""
    from datetime import date as day

    import config
    from components.dedicated import DedicatedEnvironmentArgs
    from components.shared_cluster import SharedClusterEnvironmentArgs

    raw = {k: v for k, v in VALUES.items() if k != "geminiApiKey"}
    dedicated = config.parse("perf", raw, day.today())
    shared = config.parse("perf", {**raw, "shape": "shared-cluster"}, day.today())
    with pytest.raises(ValueError, match="needs shape dedicated"):
        DedicatedEnvironmentArgs(shared, None, "k", "t")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs shape shared-cluster"):
        SharedClusterEnvironmentArgs(dedicated, None, "k", "t")  # type: ignore[arg-type]


def test_cluster_outputs_azure_omits_are_refused() -> None:
    """A cluster without an issuer URL or kubelet identity stops the run instead of federating with nothing."""
    from components import aks

    with pytest.raises(ValueError, match="no OIDC issuer URL"):
        aks.issuer_url(None)
    with pytest.raises(ValueError, match="no kubelet identity"):
        aks.kubelet_object_id({})
    with pytest.raises(ValueError, match="no identity principal"):
        aks.cluster_principal_id(None)


def test_role_scopes_must_be_azure_resource_ids() -> None:
    """The role definition is taken from the scope's subscription; a scope without one is refused."""
    from components import roles

    scope = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg"
    assert roles.role_definition_id(scope, "AcrPull") == f"{ROLE}7f951dda-4ed3-4680-a7ca-43fe172d538d"
    with pytest.raises(ValueError, match="is not an Azure resource ID"):
        roles.role_definition_id("rg-medqa-dev-weu", "AcrPull")
