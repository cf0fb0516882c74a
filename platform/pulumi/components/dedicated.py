"""The dedicated shape: a small, capped copy of the whole stack in a resource group of its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from config import EnvironmentConfig
from pulumi_azure_native import resources

from components import aks, identity, keyvault, network, postgres, roles
from components.core import CoreOutputs


@dataclass
class DedicatedEnvironmentArgs:
    """Inputs of DedicatedEnvironment."""

    config: EnvironmentConfig
    core: pulumi.Output[CoreOutputs]
    gemini_api_key: pulumi.Input[str]
    tenant_id: pulumi.Input[str]

    def __post_init__(self) -> None:
        """Refuse a config of the other shape."""
        if self.config.shape != "dedicated":
            raise ValueError(f"DedicatedEnvironment needs shape dedicated, got {self.config.shape!r}")


class DedicatedEnvironment(pulumi.ComponentResource):
    """VNet, AKS, PostgreSQL, Key Vault and identity, plus the access Argo CD needs to deploy there."""

    def __init__(
        self,
        name: str,
        args: DedicatedEnvironmentArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Create the environment's resources in dependency order."""
        super().__init__("medqa:environments:Dedicated", name, None, opts)
        cfg, core, child = args.config, args.core, pulumi.ResourceOptions(parent=self)
        names, tags = cfg.naming, cfg.tags
        self.resource_group = resources.ResourceGroup(
            f"{name}-rg",
            resource_group_name=names.name("resource_group"),
            location=cfg.location,
            tags=tags,
            opts=child,
        )
        rg_name = self.resource_group.name
        self.network = network.Network(
            f"{name}-network",
            network.NetworkArgs(
                name=names.name("virtual_network"),
                nsg_name=names.name("network_security_group"),
                resource_group_name=rg_name,
                location=cfg.location,
                address_space=cfg.cluster.address_space,
                tags=tags,
            ),
            opts=child,
        )
        self.cluster = aks.Cluster(
            f"{name}-aks",
            aks.ClusterArgs(
                name=names.name("kubernetes_cluster"),
                resource_group_name=rg_name,
                location=cfg.location,
                tenant_id=args.tenant_id,
                node_subnet_id=self.network.aks_subnet_id,
                kubernetes_version=cfg.cluster.kubernetes_version,
                vm_size=cfg.cluster.vm_size,
                node_count=cfg.cluster.node_count,
                max_node_count=cfg.cluster.max_node_count,
                authorized_ip_ranges=cfg.cluster.authorized_ip_ranges,
                tags=tags,
            ),
            opts=child,
        )
        self.identity = identity.WorkloadIdentity(
            f"{name}-identity",
            identity.WorkloadIdentityArgs(
                name=names.name("user_assigned_identity"),
                resource_group_name=rg_name,
                location=cfg.location,
                oidc_issuer_url=self.cluster.oidc_issuer_url,
                namespace=cfg.namespace,
                tags=tags,
            ),
            opts=child,
        )
        self.postgres = postgres.PostgresServer(
            f"{name}-psql",
            postgres.PostgresServerArgs(
                name=names.name("postgresql_flexible_server"),
                resource_group_name=rg_name,
                location=cfg.location,
                vnet_id=self.network.vnet_id,
                delegated_subnet_id=self.network.postgres_subnet_id,
                tenant_id=args.tenant_id,
                admin_principal_id=self.identity.principal_id,
                admin_principal_name=self.identity.identity.name,
                tags=tags,
                sku_name=cfg.postgres.sku_name,
                storage_gb=cfg.postgres.storage_gb,
                version=cfg.postgres.version,
            ),
            opts=child,
        )
        self.vault = keyvault.KeyVault(
            f"{name}-kv",
            keyvault.KeyVaultArgs(
                name=names.name("key_vault"),
                resource_group_name=rg_name,
                location=cfg.location,
                tenant_id=args.tenant_id,
                allowed_subnet_id=self.network.aks_subnet_id,
                tags=tags,
            ),
            opts=child,
        )
        self.secret_names = {
            "gemini-api-key": "gemini-api-key",
            "database-url": "database-url",
        }
        url = postgres.database_url(self.identity.identity.name, self.postgres.fqdn, "medqa")
        self.secrets = keyvault.Secrets(
            f"{name}-secrets",
            keyvault.SecretsArgs(
                vault_name=self.vault.vault_name,
                vault_id=self.vault.id,
                resource_group_name=rg_name,
                values={
                    "gemini-api-key": args.gemini_api_key,
                    "database-url": pulumi.Output.secret(url),
                },
                reader_principal_id=self.identity.principal_id,
                tags=tags,
            ),
            opts=child,
        )
        # Argo CD runs in the core cluster and deploys here with its own workload identity.
        roles.assign(
            f"{name}-argocd-admin",
            "Azure Kubernetes Service RBAC Cluster Admin",
            self.cluster.cluster.id,
            core.apply(lambda c: c.argocd_principal_id),
            child,
        )
        # The nodes pull the service image from the core registry.
        roles.assign(
            f"{name}-acr-pull",
            "AcrPull",
            core.apply(lambda c: c.container_registry_id),
            self.cluster.kubelet_object_id,
            child,
        )
        self.exports: dict[str, Any] = {
            "name": cfg.name,
            "shape": cfg.shape,
            "environment": cfg.environment,
            "namespace": cfg.namespace,
            "hostname": core.apply(lambda c: f"{cfg.name}.{c.dns_zone_name}"),
            "identity_client_id": self.identity.client_id,
            "tenant_id": args.tenant_id,
            "key_vault_name": self.vault.vault_name,
            "secret_names": self.secret_names,
            "postgres_subnet_prefix": self.network.postgres_prefix,
            "cluster_name": self.cluster.cluster_name,
            "api_server_url": self.cluster.api_server_url,
            "cluster_ca_data": self.cluster.ca_data,
            "argocd_client_id": core.apply(lambda c: c.argocd_client_id),
        }
        self.register_outputs(self.exports)
