"""The shared-cluster shape: a namespace-scale environment on the core (dev) cluster, server and vault."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from config import EnvironmentConfig
from pulumi_azure_native import resources

from components import dns, identity, keyvault, postgres
from components.core import CoreOutputs


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
    """Own resource group, identity, database, secrets and DNS name; everything else is the core's."""

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
        self.identity = identity.WorkloadIdentity(
            f"{name}-identity",
            identity.WorkloadIdentityArgs(
                name=names.name("user_assigned_identity"),
                resource_group_name=self.resource_group.name,
                location=cfg.location,
                oidc_issuer_url=core.apply(lambda c: c.aks_oidc_issuer_url),
                namespace=cfg.namespace,
                tags=tags,
            ),
            opts=child,
        )
        self.database = postgres.PostgresDatabase(
            f"{name}-db",
            postgres.PostgresDatabaseArgs(
                name=database_name(cfg.name),
                server_name=core.apply(lambda c: c.postgres_server_name),
                resource_group_name=core.apply(lambda c: c.resource_group_name),
            ),
            opts=child,
        )
        self.secret_names = {
            "gemini-api-key": f"{cfg.name}-gemini-api-key",
            "database-url": f"{cfg.name}-database-url",
        }
        url = postgres.database_url(
            self.identity.identity.name,
            core.apply(lambda c: c.postgres_fqdn),
            self.database.database_name,
        )
        self.secrets = keyvault.Secrets(
            f"{name}-secrets",
            keyvault.SecretsArgs(
                vault_name=core.apply(lambda c: c.key_vault_name),
                vault_id=core.apply(lambda c: c.key_vault_id),
                resource_group_name=core.apply(lambda c: c.resource_group_name),
                values={
                    self.secret_names["gemini-api-key"]: args.gemini_api_key,
                    self.secret_names["database-url"]: pulumi.Output.secret(url),
                },
                reader_principal_id=self.identity.principal_id,
                tags=tags,
            ),
            opts=child,
        )
        self.dns = dns.DnsRecord(
            f"{name}-dns",
            dns.DnsRecordArgs(
                label=cfg.name,
                zone_name=core.apply(lambda c: c.dns_zone_name),
                resource_group_name=core.apply(lambda c: c.dns_zone_resource_group_name),
                ipv4_address=core.apply(lambda c: c.ingress_ip),
                tags=tags,
            ),
            opts=child,
        )
        self.exports: dict[str, Any] = {
            "name": cfg.name,
            "shape": cfg.shape,
            "environment": cfg.environment,
            "namespace": cfg.namespace,
            "hostname": self.dns.hostname,
            "identity_client_id": self.identity.client_id,
            "tenant_id": args.tenant_id,
            "key_vault_name": core.apply(lambda c: c.key_vault_name),
            "secret_names": self.secret_names,
            "database_name": self.database.database_name,
        }
        self.register_outputs(self.exports)


def database_name(environment_name: str) -> str:
    """The database name of an environment (PostgreSQL identifiers take no dashes unquoted)."""
    return "medqa_" + environment_name.replace("-", "_")
