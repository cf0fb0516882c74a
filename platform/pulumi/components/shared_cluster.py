"""The shared-cluster shape: a namespace-scale environment on the core (dev) cluster, server and vault."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import wiring
from config import EnvironmentConfig
from pulumi_azure_native import resources

from components import edge, identity, keyvault, postgres
from components.core import CORE_ENVIRONMENT, CoreOutputs

# The Argo CD cluster name (and medqa.io/cluster label) of the core cluster these environments share. Not
# `in-cluster`: every Argo CD calls its own cluster that, so it would match no registration (or every one).
CORE_CLUSTER = CORE_ENVIRONMENT


@dataclass
class SharedClusterEnvironmentArgs:
    """Inputs of SharedClusterEnvironment."""

    config: EnvironmentConfig
    core: pulumi.Output[CoreOutputs]
    gemini_api_key: pulumi.Input[str]
    tenant_id: pulumi.Input[str]

    def __post_init__(self) -> None:
        """Refuse a config of the other shape."""
        if self.config.shape != "shared-cluster":
            raise ValueError(f"SharedClusterEnvironment needs shape shared-cluster, got {self.config.shape!r}")


class SharedClusterEnvironment(pulumi.ComponentResource):
    """Own resource group, identity, database login, secret and Front Door host; everything else is the core's."""

    def __init__(
        self,
        name: str,
        args: SharedClusterEnvironmentArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Create the environment's own resources next to the core's."""
        super().__init__("medqa:environments:SharedCluster", name, None, opts)
        cfg, core, child = args.config, args.core, pulumi.ResourceOptions(parent=self)
        names, tags = cfg.naming, cfg.tags
        self.resource_group = resources.ResourceGroup(
            f"{name}-rg",
            resource_group_name=names.name("resource_group"),
            location=cfg.location,
            tags=tags,
            opts=child,
        )
        identity_args = identity.WorkloadIdentityArgs(
            name=names.name("user_assigned_identity"),
            resource_group_name=self.resource_group.name,
            location=cfg.location,
            oidc_issuer_url=core.apply(lambda c: c.aks_oidc_issuer_url),
            namespace=cfg.namespace,
            tags=tags,
        )
        self.identity = identity.WorkloadIdentity(f"{name}-identity", identity_args, opts=child)
        # The migration Job's identity administers PostgreSQL; the service's gets DML from the Job.
        self.migrate_identity = identity.migrate_identity(name, identity_args, opts=child)
        self.database = postgres.PostgresDatabase(
            f"{name}-db",
            postgres.PostgresDatabaseArgs(
                name=database_name(cfg.name),
                server_name=core.apply(lambda c: c.postgres_server_name),
                resource_group_name=core.apply(lambda c: c.resource_group_name),
            ),
            opts=child,
        )
        # Entra login on the core server: the migrate identity is an administrator (Pulumi cannot run SQL on the
        # private server); the migration Job, inside the VNet, creates the service's role with DML only.
        server = postgres.ServerRef(
            core.apply(lambda c: c.postgres_server_name),
            core.apply(lambda c: c.resource_group_name),
            core.apply(lambda c: c.tenant_id),
        )
        # One server operation at a time: Azure refuses concurrent changes to a server.
        after_database = pulumi.ResourceOptions(parent=self, depends_on=[self.database.database])
        self.administrator = postgres.entra_administrator(
            f"{name}-db-admin", server, self.migrate_identity, after_database
        )
        # The core vault is shared, so the secret carries the environment's name; only its identity reads it.
        self.gemini_secret_name = f"{cfg.name}-gemini-api-key"
        self.secrets = keyvault.Secrets(
            f"{name}-secrets",
            keyvault.SecretsArgs(
                vault_name=core.apply(lambda c: c.key_vault_name),
                vault_id=core.apply(lambda c: c.key_vault_id),
                resource_group_name=core.apply(lambda c: c.resource_group_name),
                values={self.gemini_secret_name: args.gemini_api_key},
                reader_principal_id=self.identity.principal_id,
                tags=tags,
            ),
            opts=child,
        )
        self.edge = edge.Edge(
            f"{name}-edge",
            edge.EdgeArgs(
                label=cfg.name,
                zone_name=core.apply(lambda c: c.dns_zone_name),
                zone_resource_group_name=core.apply(lambda c: c.dns_zone_resource_group_name),
                ingress_ip=core.apply(lambda c: c.ingress_ip),
                profile_name=core.apply(lambda c: c.frontdoor_profile_name),
                endpoint_name=core.apply(lambda c: c.frontdoor_endpoint_name),
                profile_resource_group_name=core.apply(lambda c: c.resource_group_name),
                tags=tags,
            ),
            opts=child,
        )
        self.wiring = wiring.wiring(
            cfg.name,
            cfg.namespace,
            client_id=self.identity.client_id,
            tenant_id=core.apply(lambda c: c.tenant_id),
            key_vault_name=core.apply(lambda c: c.key_vault_name),
            gemini_secret_name=self.gemini_secret_name,
            postgres_host=core.apply(lambda c: c.postgres_fqdn),
            postgres_database=self.database.database_name,
            postgres_user=self.identity.identity.name,
            migrate_client_id=self.migrate_identity.client_id,
            migrate_postgres_user=self.migrate_identity.identity.name,
            postgres_subnet_cidr=core.apply(lambda c: c.postgres_subnet_cidr),
            pod_cidr=core.apply(lambda c: c.pod_cidr),
            acr_login_server=core.apply(lambda c: c.acr_login_server),
            dns_zone_name=core.apply(lambda c: c.dns_zone_name),
            front_door_id=core.apply(lambda c: c.frontdoor_id),
        )
        self.exports: dict[str, Any] = {
            "name": cfg.name,
            "shape": cfg.shape,
            "environment": cfg.environment,
            "namespace": cfg.namespace,
            "cluster": CORE_CLUSTER,
            "hostname": self.edge.hostname,
            "wiring": self.wiring,
        }
        self.register_outputs(self.exports)


def database_name(environment_name: str) -> str:
    """The database name of an environment (PostgreSQL identifiers take no dashes unquoted)."""
    return "medqa_" + environment_name.replace("-", "_")
