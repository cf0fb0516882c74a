"""Azure role assignments by built-in role name, so callers never spell a GUID."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import authorization

# Built-in role definition IDs (the same in every tenant).
BUILT_IN_ROLES = {
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
    "Azure Kubernetes Service RBAC Cluster Admin": "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    "AcrPull": "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    "Network Contributor": "4d97b98b-1d4f-4787-a291-c67834d212e7",
    "DNS Zone Contributor": "befefa01-2a29-4197-83a8-272ff33ce314",
}


def role_definition_id(scope: str, role: str) -> str:
    """The subscription-qualified ID of a built-in role, for a scope inside that subscription."""
    parts = scope.split("/")
    if len(parts) < 3 or parts[1].lower() != "subscriptions":
        raise ValueError(f"scope {scope!r} is not an Azure resource ID under /subscriptions/<id>")
    return f"/subscriptions/{parts[2]}/providers/Microsoft.Authorization/roleDefinitions/{BUILT_IN_ROLES[role]}"


def assign(
    name: str, role: str, scope: pulumi.Input[str], principal_id: pulumi.Input[str], opts: pulumi.ResourceOptions
) -> authorization.RoleAssignment:
    """Grant a service principal (a managed identity) a built-in role on one scope."""
    return authorization.RoleAssignment(
        name,
        scope=scope,
        principal_id=principal_id,
        principal_type="ServicePrincipal",
        role_definition_id=pulumi.Output.from_input(scope).apply(lambda s: role_definition_id(s, role)),
        opts=opts,
    )
