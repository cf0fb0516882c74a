"""The outputs of the core (dev) Terraform environment that extra environments build on."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, fields
from typing import Any

import pulumi
from config import CoreStateRef
from pulumi_terraform import state

# The long-lived environment whose Terraform state Pulumi reads and whose cluster hosts the shared-cluster
# environments. Its Argo CD registration (gitops/argocd/secrets/cluster-registration.yaml) is named after it
# and carries it as label medqa.io/cluster, which the medqa ApplicationSet matches environment.yaml against.
CORE_ENVIRONMENT = "dev"


class CoreOutputsError(ValueError):
    """The core Terraform state lacks outputs this project needs."""


@dataclass(frozen=True)
class CoreOutputs:
    """The Terraform outputs (of platform/terraform/environments/dev) that Pulumi reads, by output name.

    The Front Door profile and endpoint live in ``resource_group_name`` (the edge module's group).
    """

    resource_group_name: str
    aks_oidc_issuer_url: str
    postgres_server_name: str
    postgres_fqdn: str
    key_vault_name: str
    key_vault_id: str
    dns_zone_name: str
    dns_zone_resource_group_name: str
    ingress_ip: str
    container_registry_id: str
    argocd_principal_id: str
    argocd_client_id: str
    acr_login_server: str
    tenant_id: str
    pod_cidr: str
    postgres_subnet_cidr: str
    frontdoor_id: str
    frontdoor_profile_name: str
    frontdoor_endpoint_name: str
    # The AzureFrontDoor.Backend ranges, comma-separated, as dev's registration carries them: azure-native
    # cannot look a service tag up, and Front Door (so the tag) is global, whatever region the cluster is in.
    front_door_backend_cidrs: str

    @classmethod
    def from_outputs(cls, outputs: dict[str, Any]) -> CoreOutputs:
        """Pick the needed outputs; raise CoreOutputsError naming any that are missing or empty."""
        wanted = output_names()
        missing = [name for name in wanted if not outputs.get(name)]
        if missing:
            raise CoreOutputsError(
                "the core Terraform state lacks the outputs " + ", ".join(missing) + ": apply the dev environment first"
            )
        bad = _not_cidrs(str(outputs["front_door_backend_cidrs"]))
        if bad:
            raise CoreOutputsError(f"the core output front_door_backend_cidrs holds non-CIDR entries: {', '.join(bad)}")
        return cls(**{name: str(outputs[name]) for name in wanted})


def _not_cidrs(text: str) -> list[str]:
    """The comma-separated entries that are no CIDR range (ingress-nginx would reject its config)."""
    bad = []
    for entry in text.split(","):
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            bad.append(repr(entry))
    return bad


def output_names() -> tuple[str, ...]:
    """Every Terraform output name Pulumi reads (the contract test checks each exists in every env root)."""
    return tuple(f.name for f in fields(CoreOutputs))


def read(ref: CoreStateRef, token: pulumi.Input[str] | None = None) -> pulumi.Output[CoreOutputs]:
    """Read the core Terraform outputs from its remote (HCP Terraform) or local state."""
    if ref.backend == "local":
        local = state.get_local_reference_output(path=ref.path)
        return local.outputs.apply(CoreOutputs.from_outputs)
    remote = state.get_remote_reference_output(
        hostname=ref.hostname,
        organization=ref.organization,
        token=token,
        workspaces={"name": ref.workspace},
    )
    return remote.outputs.apply(CoreOutputs.from_outputs)
