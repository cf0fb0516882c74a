"""The dedicated shape: a small, capped copy of the whole stack in a resource group of its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import wiring
from config import EnvironmentConfig
from pulumi_azure_native import resources

from components import addons, aks, edge, identity, keyvault, network, postgres, roles
from components.core import CoreOutputs

# The service's database on its own server.
DATABASE = "medqa"


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
                ingress_ip_name=names.name("public_ip"),
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
        identity_args = identity.WorkloadIdentityArgs(
            name=names.name("user_assigned_identity"),
            resource_group_name=rg_name,
            location=cfg.location,
            oidc_issuer_url=self.cluster.oidc_issuer_url,
            namespace=cfg.namespace,
            tags=tags,
        )
        self.identity = identity.WorkloadIdentity(f"{name}-identity", identity_args, opts=child)
        # The migration Job's identity administers PostgreSQL; the service's gets DML from the Job.
        self.migrate_identity = identity.migrate_identity(name, identity_args, opts=child)
        self.postgres = postgres.PostgresServer(
            f"{name}-psql",
            postgres.PostgresServerArgs(
                name=names.name("postgresql_flexible_server"),
                resource_group_name=rg_name,
                location=cfg.location,
                vnet_id=self.network.vnet_id,
                delegated_subnet_id=self.network.postgres_subnet_id,
                tenant_id=args.tenant_id,
                admin=self.migrate_identity,
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
        # The server starts with only `postgres`; the service's database is made here, after its admin.
        self.database = postgres.PostgresDatabase(
            f"{name}-db",
            postgres.PostgresDatabaseArgs(
                name=DATABASE,
                server_name=self.postgres.server_name,
                resource_group_name=rg_name,
                after=[self.postgres.administrator, *self.postgres.parameters],
            ),
            opts=child,
        )
        self.gemini_secret_name = "gemini-api-key"  # noqa: S105 - a secret's name: the vault is its own
        self.secrets = keyvault.Secrets(
            f"{name}-secrets",
            keyvault.SecretsArgs(
                vault_name=self.vault.vault_name,
                vault_id=self.vault.id,
                resource_group_name=rg_name,
                values={self.gemini_secret_name: args.gemini_api_key},
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
        # The cluster's load balancer takes the ingress IP from this group, not from its node resource group.
        roles.assign(
            f"{name}-ingress-ip", "Network Contributor", self.resource_group.id, self.cluster.principal_id, child
        )
        # The add-ons the dev cluster's Argo CD installs here sign in as identities of this cluster.
        self.addons = addons.AddonIdentities(
            f"{name}-addons",
            addons.AddonIdentitiesArgs(
                base_name=names.name("user_assigned_identity"),
                resource_group_name=rg_name,
                location=cfg.location,
                oidc_issuer_url=self.cluster.oidc_issuer_url,
                scopes={
                    "eso": self.vault.id,
                    "cert_manager": core.apply(
                        lambda c: addons.dns_zone_id(
                            c.container_registry_id, c.dns_zone_resource_group_name, c.dns_zone_name
                        )
                    ),
                    "kyverno": core.apply(lambda c: c.container_registry_id),
                },
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
                ingress_ip=self.network.ingress_address,
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
            tenant_id=args.tenant_id,
            key_vault_name=self.vault.vault_name,
            gemini_secret_name=self.gemini_secret_name,
            postgres_host=self.postgres.fqdn,
            postgres_database=self.database.database_name,
            postgres_user=self.identity.identity.name,
            migrate_client_id=self.migrate_identity.client_id,
            migrate_postgres_user=self.migrate_identity.identity.name,
            postgres_subnet_cidr=self.network.postgres_prefix,
            pod_cidr=aks.POD_CIDR,
            acr_login_server=core.apply(lambda c: c.acr_login_server),
            dns_zone_name=core.apply(lambda c: c.dns_zone_name),
            front_door_id=core.apply(lambda c: c.frontdoor_id),
        )
        self.exports: dict[str, Any] = {
            "name": cfg.name,
            "shape": cfg.shape,
            "environment": cfg.environment,
            "namespace": cfg.namespace,
            # The registration name of the cluster Secret envctl writes (Argo CD destination name).
            "cluster": cfg.name,
            "hostname": self.edge.hostname,
            # For the ingress-nginx add-on on this cluster (Service loadBalancerIP + its resource group).
            "ingress_ip": self.network.ingress_address,
            "ingress_ip_name": names.name("public_ip"),
            "ingress_ip_resource_group": self.resource_group.name,
            # The rest of what the add-on ApplicationSets `require` from the registration.
            "key_vault_url": pulumi.Output.from_input(self.wiring).apply(lambda w: w["KEY_VAULT_URL"]),
            "eso_client_id": self.addons.client_ids["eso"],
            "cert_manager_client_id": self.addons.client_ids["cert_manager"],
            "kyverno_client_id": self.addons.client_ids["kyverno"],
            "dns_zone_resource_group": core.apply(lambda c: c.dns_zone_resource_group_name),
            "dns_zone_subscription_id": core.apply(lambda c: addons.subscription_of(c.container_registry_id)),
            # Whom ingress-nginx believes X-Forwarded-For from (proxy-real-ip-cidr): dev's Terraform output.
            "front_door_backend_cidrs": core.apply(lambda c: c.front_door_backend_cidrs),
            "wiring": self.wiring,
            "cluster_name": self.cluster.cluster_name,
            "api_server_url": self.cluster.api_server_url,
            "cluster_ca_data": self.cluster.ca_data,
            "argocd_client_id": core.apply(lambda c: c.argocd_client_id),
            "tenant_id": args.tenant_id,
        }
        self.register_outputs(self.exports)
