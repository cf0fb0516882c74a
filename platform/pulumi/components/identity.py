"""A user-assigned identity that one Kubernetes service account can use through workload identity."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pulumi
import wiring
from pulumi_azure_native import managedidentity

# The audience AKS workload identity tokens are issued for.
TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"  # noqa: S105 - an audience name, not a secret


@dataclass
class WorkloadIdentityArgs:
    """Inputs of WorkloadIdentity."""

    name: str
    resource_group_name: pulumi.Input[str]
    location: str
    oidc_issuer_url: pulumi.Input[str]
    namespace: str
    tags: dict[str, str]
    service_account: str = "medqa"

    @property
    def subject(self) -> str:
        """The subject Kubernetes writes into the service account's tokens."""
        return f"system:serviceaccount:{self.namespace}:{self.service_account}"


class WorkloadIdentity(pulumi.ComponentResource):
    """A user-assigned identity plus the federated credential for one service account."""

    def __init__(
        self,
        name: str,
        args: WorkloadIdentityArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Create the identity and trust the service account's tokens from the cluster's issuer."""
        super().__init__("medqa:platform:WorkloadIdentity", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.identity = managedidentity.UserAssignedIdentity(
            name,
            resource_name_=args.name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=args.tags,
            opts=child,
        )
        self.credential = managedidentity.FederatedIdentityCredential(
            f"{name}-federation",
            federated_identity_credential_resource_name=f"{args.namespace}-{args.service_account}",
            resource_name_=self.identity.name,
            resource_group_name=args.resource_group_name,
            issuer=args.oidc_issuer_url,
            subject=args.subject,
            audiences=[TOKEN_EXCHANGE_AUDIENCE],
            opts=child,
        )
        self.client_id = self.identity.client_id
        self.principal_id = self.identity.principal_id
        self.register_outputs({"client_id": self.client_id, "principal_id": self.principal_id})


def migrate_identity(
    name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None
) -> WorkloadIdentity:
    """The migration Job's identity beside the service's: `<identity>-migrate`, trusting `medqa-migrate` only.

    It is the PostgreSQL Entra administrator; the migration Job grants the service's identity its DML.
    """
    migrate = replace(args, name=f"{args.name}-migrate", service_account=wiring.MIGRATE_SERVICE_ACCOUNT)
    return WorkloadIdentity(f"{name}-migrate-identity", migrate, opts)
