"""The identities of a dedicated cluster's add-ons (gitops/argocd/addons/), as Terraform makes them for dev.

Each add-on ApplicationSet reads its client id from the cluster registration (annotation
`medqa.io/<add-on>-client-id`); each identity trusts one service account of the new cluster and holds one
role: External Secrets reads the environment's vault, cert-manager writes DNS-01 records in the shared zone,
Kyverno reads image signatures from the shared registry.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components import identity, roles


@dataclass(frozen=True)
class Addon:
    """One add-on's workload identity: name suffix, service account, role and the scope it needs."""

    key: str
    suffix: str
    namespace: str
    service_account: str
    role: str


# Suffixes, namespaces and service accounts as platform/terraform/modules/platform (locals.identities) and the
# add-on charts' values (gitops/argocd/addons/*.yaml) name them.
ADDONS = (
    Addon("eso", "eso", "external-secrets", "external-secrets", "Key Vault Secrets User"),
    Addon("cert_manager", "cert-manager", "cert-manager", "cert-manager", "DNS Zone Contributor"),
    Addon("kyverno", "kyverno", "kyverno", "kyverno-admission-controller", "AcrPull"),
)


def dns_zone_id(registry_id: str, zone_resource_group: str, zone_name: str) -> str:
    """The shared DNS zone's ID: the shared root puts zone and registry in one subscription."""
    return f"/subscriptions/{subscription_of(registry_id)}/resourceGroups/{zone_resource_group}" + (
        f"/providers/Microsoft.Network/dnszones/{zone_name}"
    )


def subscription_of(resource_id: str) -> str:
    """The subscription id of an Azure resource ID."""
    parts = resource_id.split("/")
    if len(parts) < 3 or parts[1].lower() != "subscriptions" or not parts[2]:
        raise ValueError(f"{resource_id!r} is not an Azure resource ID under /subscriptions/<id>")
    return parts[2]


@dataclass
class AddonIdentitiesArgs:
    """Inputs of AddonIdentities; ``scopes`` maps each Addon.key to the resource its role applies to."""

    base_name: str
    resource_group_name: pulumi.Input[str]
    location: str
    oidc_issuer_url: pulumi.Input[str]
    scopes: dict[str, pulumi.Input[str]]
    tags: dict[str, str]


class AddonIdentities(pulumi.ComponentResource):
    """One federated identity per add-on, with its single role; ``client_ids`` by Addon.key."""

    def __init__(self, name: str, args: AddonIdentitiesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        """Create the identities, their federated credentials and role assignments."""
        super().__init__("medqa:platform:AddonIdentities", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.client_ids: dict[str, pulumi.Output[str]] = {}
        for addon in ADDONS:
            made = identity.WorkloadIdentity(
                f"{name}-{addon.suffix}",
                identity.WorkloadIdentityArgs(
                    name=f"{args.base_name}-{addon.suffix}",
                    resource_group_name=args.resource_group_name,
                    location=args.location,
                    oidc_issuer_url=args.oidc_issuer_url,
                    namespace=addon.namespace,
                    service_account=addon.service_account,
                    tags=args.tags,
                ),
                opts=child,
            )
            roles.assign(f"{name}-{addon.suffix}-role", addon.role, args.scopes[addon.key], made.principal_id, child)
            self.client_ids[addon.key] = made.client_id
        self.register_outputs(dict(self.client_ids))
