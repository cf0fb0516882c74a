"""PostgreSQL for extra environments: a private burstable server, or one database on the core server."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import dbforpostgresql, privatedns

from components import guardrails
from components.identity import WorkloadIdentity

# Server parameters that make every client connection use TLS 1.2 or newer.
TLS_PARAMETERS = {
    "require_secure_transport": "on",
    "ssl_min_protocol_version": "TLSv1.2",
}


@dataclass
class PostgresServerArgs:
    """Inputs of PostgresServer."""

    name: str
    resource_group_name: pulumi.Input[str]
    location: str
    vnet_id: pulumi.Input[str]
    delegated_subnet_id: pulumi.Input[str]
    tenant_id: pulumi.Input[str]
    admin: WorkloadIdentity
    tags: dict[str, str]
    sku_name: str = "Standard_B1ms"
    storage_gb: int = 32
    version: str = "17"

    def __post_init__(self) -> None:
        """Refuse sizes over the non-prod caps even when called without a validated config."""
        problems = guardrails.postgres_problems(self.sku_name, self.storage_gb, self.version)
        if problems:
            raise ValueError("; ".join(problems))


class PostgresServer(pulumi.ComponentResource):
    """A burstable Flexible Server inside a delegated subnet: no public access, Entra ID only, TLS only."""

    def __init__(
        self,
        name: str,
        args: PostgresServerArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Create the private DNS zone, the server, its TLS parameters and its Entra administrator."""
        super().__init__("medqa:platform:PostgresServer", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # VNet-integrated servers resolve through a zone ending in postgres.database.azure.com of their own.
        self.zone = privatedns.PrivateZone(
            f"{name}-zone",
            private_zone_name=f"{args.name}.private.postgres.database.azure.com",
            resource_group_name=args.resource_group_name,
            location="global",
            tags=args.tags,
            opts=child,
        )
        link = privatedns.VirtualNetworkLink(
            f"{name}-zone-link",
            virtual_network_link_name=f"{args.name}-link",
            private_zone_name=self.zone.name,
            resource_group_name=args.resource_group_name,
            location="global",
            registration_enabled=False,
            virtual_network=privatedns.SubResourceArgs(id=args.vnet_id),
            tags=args.tags,
            opts=child,
        )
        self.server = dbforpostgresql.Server(
            name,
            server_name=args.name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            version=args.version,
            sku=dbforpostgresql.SkuArgs(name=args.sku_name, tier=guardrails.POSTGRES_SKU_TIER),
            storage=dbforpostgresql.StorageArgs(storage_size_gb=args.storage_gb, auto_grow="Disabled"),
            backup=dbforpostgresql.BackupArgs(backup_retention_days=7, geo_redundant_backup="Disabled"),
            high_availability=dbforpostgresql.HighAvailabilityArgs(mode="Disabled"),
            network=dbforpostgresql.NetworkArgs(
                public_network_access="Disabled",
                delegated_subnet_resource_id=args.delegated_subnet_id,
                private_dns_zone_arm_resource_id=self.zone.id,
            ),
            # Entra ID only: no password exists, so none can leak into state or config.
            auth_config=dbforpostgresql.AuthConfigArgs(
                active_directory_auth="Enabled",
                password_auth="Disabled",  # noqa: S106 - switches password sign-in off
                tenant_id=args.tenant_id,
            ),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[link]),
        )
        self.parameters = [
            dbforpostgresql.Configuration(
                f"{name}-{parameter}",
                configuration_name=parameter,
                server_name=self.server.name,
                resource_group_name=args.resource_group_name,
                value=value,
                source="user-override",
                opts=child,
            )
            for parameter, value in TLS_PARAMETERS.items()
        ]
        # The migration Job's identity administers the short-lived server; the Job grants the service DML only.
        server = ServerRef(self.server.name, args.resource_group_name, args.tenant_id)
        self.administrator = entra_administrator(f"{name}-admin", server, args.admin, child)
        self.fqdn = self.server.fully_qualified_domain_name
        self.server_name = self.server.name
        self.register_outputs({"fqdn": self.fqdn, "name": self.server_name})


@dataclass
class PostgresDatabaseArgs:
    """Inputs of PostgresDatabase."""

    name: str
    server_name: pulumi.Input[str]
    resource_group_name: pulumi.Input[str]
    # Server changes to wait for: Azure refuses concurrent operations on one server.
    after: Sequence[pulumi.Resource] = ()


class PostgresDatabase(pulumi.ComponentResource):
    """One database of its own on an existing server (the core's), which keeps its TLS and network rules."""

    def __init__(
        self,
        name: str,
        args: PostgresDatabaseArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Create the database."""
        super().__init__("medqa:platform:PostgresDatabase", name, None, opts)
        self.database = dbforpostgresql.Database(
            name,
            database_name=args.name,
            server_name=args.server_name,
            resource_group_name=args.resource_group_name,
            charset="UTF8",
            collation="en_US.utf8",
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.after)),
        )
        self.database_name = self.database.name
        self.register_outputs({"name": self.database_name})


@dataclass(frozen=True)
class ServerRef:
    """A Flexible Server by name, and the tenant its Entra sign-in trusts."""

    server_name: pulumi.Input[str]
    resource_group_name: pulumi.Input[str]
    tenant_id: pulumi.Input[str]


def entra_administrator(
    name: str, server: ServerRef, identity: WorkloadIdentity, opts: pulumi.ResourceOptions
) -> dbforpostgresql.Administrator:
    """Make a managed identity an Entra administrator: it signs in as a role named after the identity."""
    return dbforpostgresql.Administrator(
        name,
        server_name=server.server_name,
        resource_group_name=server.resource_group_name,
        object_id=identity.principal_id,
        # The role name the migration Job logs in as (MIGRATE_POSTGRES_USER): the identity's own name.
        principal_name=identity.identity.name,
        principal_type="ServicePrincipal",
        tenant_id=server.tenant_id,
        opts=opts,
    )
