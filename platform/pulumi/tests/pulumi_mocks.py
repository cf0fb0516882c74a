"""Pulumi mocks for Azure and the Terraform state: the network edge of the program, nothing else faked."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pulumi
import yaml
from pulumi.runtime.mocks import MockMonitor

SUBSCRIPTION = "00000000-0000-0000-0000-00000000a001"
TENANT = "00000000-0000-0000-0000-00000000a002"
PROJECT = "medqa-environments"
CA_DATA = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n").decode()

# What platform/terraform/environments/dev is expected to output (see components/core.py).
CORE_OUTPUTS: dict[str, Any] = {
    "resource_group_name": "rg-medqa-dev-weu",
    "aks_oidc_issuer_url": "https://westeurope.oic.prod-aks.azure.com/tenant/issuer/",
    "postgres_server_name": "psql-medqa-dev-weu",
    "postgres_fqdn": "psql-medqa-dev-weu.postgres.database.azure.com",
    "key_vault_name": "kvmedqadevweu",
    "key_vault_id": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-medqa-dev-weu"
    "/providers/Microsoft.KeyVault/vaults/kvmedqadevweu",
    "dns_zone_name": "medqa.example.com",
    "dns_zone_resource_group_name": "rg-medqa-shared-weu",
    "ingress_ip": "20.0.0.10",
    "container_registry_id": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-medqa-shared-weu"
    "/providers/Microsoft.ContainerRegistry/registries/crmedqasharedweu",
    "argocd_principal_id": "00000000-0000-0000-0000-00000000a0c0",
    "argocd_client_id": "00000000-0000-0000-0000-00000000a0c1",
    "acr_login_server": "crmedqasharedweu.azurecr.io",
    "tenant_id": "00000000-0000-0000-0000-00000000a002",
    "pod_cidr": "192.168.0.0/16",
    "postgres_subnet_cidr": "10.20.8.0/27",
    "frontdoor_id": "00000000-0000-0000-0000-00000000afd1",
    "frontdoor_profile_name": "afd-medqa-dev-weu",
    "frontdoor_endpoint_name": "medqa-dev",
    "front_door_backend_cidrs": "147.243.0.0/16,13.73.248.16/29",
    # Terraform outputs Pulumi does not read pass through untouched.
    "gitops_wiring": {"ENVIRONMENT": "dev", "NAMESPACE": "medqa"},
}
ENDPOINT_HOST = "medqa-dev-abc123.z01.azurefd.net"

# The input that carries each resource type's Azure name (mocks echo it back as the `name` output).
NAME_INPUTS = {
    "azure-native:resources:ResourceGroup": "resourceGroupName",
    "azure-native:managedidentity:UserAssignedIdentity": "resourceName",
    "azure-native:managedidentity:FederatedIdentityCredential": "federatedIdentityCredentialResourceName",
    "azure-native:dbforpostgresql:Server": "serverName",
    "azure-native:dbforpostgresql:Database": "databaseName",
    "azure-native:dbforpostgresql:Configuration": "configurationName",
    "azure-native:keyvault:Vault": "vaultName",
    "azure-native:keyvault:Secret": "secretName",
    "azure-native:containerservice:ManagedCluster": "resourceName",
    "azure-native:network:VirtualNetwork": "virtualNetworkName",
    "azure-native:network:NetworkSecurityGroup": "networkSecurityGroupName",
    "azure-native:network:PublicIPAddress": "publicIpAddressName",
    "azure-native:privatedns:PrivateZone": "privateZoneName",
    "azure-native:privatedns:VirtualNetworkLink": "virtualNetworkLinkName",
    "azure-native:dns:RecordSet": "relativeRecordSetName",
    "azure-native:dbforpostgresql:Administrator": "objectId",
    "azure-native:cdn:AFDOriginGroup": "originGroupName",
    "azure-native:cdn:AFDOrigin": "originName",
    "azure-native:cdn:AFDCustomDomain": "customDomainName",
    "azure-native:cdn:Route": "routeName",
}


# How the Pulumi wire format marks a secret value ({SECRET_SIG: SECRET_VALUE, "value": ...}).
SECRET_SIG = "4dabf18193072939515e22adb298388d"


def unwrap(value: Any) -> Any:
    """The plain value of a recorded input, whether or not it travelled as a secret."""
    if isinstance(value, dict) and SECRET_SIG in value:
        return value["value"]
    return value


def is_secret(value: Any) -> bool:
    """Whether a recorded input travelled as a secret."""
    return isinstance(value, dict) and SECRET_SIG in value


def mock_guid(seed: str) -> str:
    """A stable GUID for a mock identity."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, seed))


def kubeconfig(server: str) -> str:
    """A base64 kubeconfig shaped like the one AKS returns for user credentials."""
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "c",
                "cluster": {"server": server, "certificate-authority-data": CA_DATA},
            }
        ],
    }
    return base64.b64encode(yaml.safe_dump(document).encode()).decode()


class RecordingMonitor(MockMonitor):
    """The SDK's mock monitor, also recording each resource's explicit dependencies (URNs) by name."""

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - the gRPC method's name
        """Note the dependencies, then register as usual."""
        self.mocks.dependencies[request.name] = list(request.dependencies)
        return super().RegisterResource(request)


class AzureMocks(pulumi.runtime.Mocks):
    """Echo inputs as state, add the outputs Azure computes, and record every resource and call."""

    def __init__(self, core_outputs: dict[str, Any] | None = None) -> None:
        """Start with no resources; serve ``core_outputs`` as the Terraform state's outputs."""
        self.core_outputs = dict(CORE_OUTPUTS) if core_outputs is None else core_outputs
        self.resources: list[pulumi.runtime.MockResourceArgs] = []
        self.calls: list[pulumi.runtime.MockCallArgs] = []
        self.dependencies: dict[str, list[str]] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        """Return an ARM-like ID and the state Azure would report."""
        self.resources.append(args)
        state = dict(args.inputs)
        name = state.get(NAME_INPUTS.get(args.typ, ""), args.name)
        state["name"] = name
        _, provider, kind = args.typ.split(":")
        resource_id = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.{provider}/{kind}/{name}"
        if args.typ == "azure-native:managedidentity:UserAssignedIdentity":
            state |= {
                "clientId": mock_guid(f"client/{name}"),
                "principalId": mock_guid(f"principal/{name}"),
            }
        elif args.typ == "azure-native:containerservice:ManagedCluster":
            state["fqdn"] = f"{name}-dns.hcp.westeurope.azmk8s.io"
            state["oidcIssuerProfile"] = {
                **state.get("oidcIssuerProfile", {}),
                "issuerURL": f"https://oidc/{name}/",
            }
            state["identity"] = {**state.get("identity", {}), "principalId": mock_guid(f"cluster/{name}")}
            state["identityProfile"] = {
                "kubeletidentity": {
                    "objectId": mock_guid(f"kubelet/{name}"),
                    "clientId": "x",
                }
            }
        elif args.typ == "azure-native:network:PublicIPAddress":
            state["ipAddress"] = "20.0.0.50"
        elif args.typ == "azure-native:cdn:AFDCustomDomain":
            state["validationProperties"] = {"validationToken": f"token-{name}", "expirationDate": "2026-12-31"}
        elif args.typ == "azure-native:dbforpostgresql:Server":
            state["fullyQualifiedDomainName"] = f"{name}.postgres.database.azure.com"
        return resource_id, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        """Answer the invokes the program makes (a bare dict: this SDK chokes on a None failure list)."""
        self.calls.append(args)
        if args.token == "azure-native:authorization:getClientConfig":
            return {
                "subscriptionId": SUBSCRIPTION,
                "tenantId": TENANT,
                "clientId": "c",
                "objectId": "o",
            }
        if args.token in (
            "terraform:state:getRemoteReference",
            "terraform:state:getLocalReference",
        ):
            return {"outputs": self.core_outputs}
        if args.token == "azure-native:cdn:getAFDEndpoint":
            return {"hostName": ENDPOINT_HOST, "name": args.args["endpointName"], "location": "global"}
        if args.token == "azure-native:containerservice:listManagedClusterUserCredentials":
            server = f"https://{args.args['resourceName']}-dns.hcp.westeurope.azmk8s.io:443"
            return {"kubeconfigs": [{"name": "clusterUser", "value": kubeconfig(server)}]}
        raise NotImplementedError(f"unexpected invoke {args.token}")

    def of_type(self, typ: str) -> list[pulumi.runtime.MockResourceArgs]:
        """The recorded resources of one Pulumi type token."""
        return [r for r in self.resources if r.typ == typ]

    def waits_for(self, name: str, typ: str, other: str) -> bool:
        """Whether resource ``name`` was registered depending on the resource ``other`` of type ``typ``."""
        return any(urn.endswith(f"{typ}::{other}") for urn in self.dependencies.get(name, []))


def use_mocks(stack: str, values: dict[str, Any], core_outputs: dict[str, Any] | None = None) -> AzureMocks:
    """Install fresh mocks for ``stack`` and set its medqa:* config (objects as JSON, the API key secret)."""
    mocks = AzureMocks(core_outputs)
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
    config = {f"medqa:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items() if v is not None}
    pulumi.runtime.set_all_config(config, secret_keys=["medqa:geminiApiKey"])
    return mocks
