"""The AKS cluster of a dedicated environment: Entra ID only, workload identity on, size capped."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import yaml
from pulumi_azure_native import containerservice

from components import guardrails

# Overlay pod addresses, the contract's pod CIDR: MEDQA_TRUSTED_PROXIES trusts the ingress pods in it.
POD_CIDR = "192.168.0.0/16"


@dataclass
class ClusterArgs:
    """Inputs of Cluster."""

    name: str
    resource_group_name: pulumi.Input[str]
    location: str
    tenant_id: pulumi.Input[str]
    node_subnet_id: pulumi.Input[str]
    kubernetes_version: str
    vm_size: str
    node_count: int
    max_node_count: int
    tags: dict[str, str]
    authorized_ip_ranges: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Refuse node sizes over the non-prod caps even when called without a validated config."""
        problems = guardrails.node_problems(self.vm_size, self.node_count, self.max_node_count)
        if problems:
            raise ValueError("; ".join(problems))


def ca_data_from_kubeconfig(encoded: str) -> str:
    """The base64 cluster CA certificate inside a base64-encoded kubeconfig."""
    kubeconfig: dict[str, Any] = yaml.safe_load(base64.b64decode(encoded))
    return str(kubeconfig["clusters"][0]["cluster"]["certificate-authority-data"])


def issuer_url(profile: containerservice.outputs.ManagedClusterOIDCIssuerProfileResponse | None) -> str:
    """The cluster's OIDC issuer URL (Azure reports it once the issuer is enabled)."""
    if profile is None or not profile.issuer_url:
        raise ValueError("the cluster reports no OIDC issuer URL although the issuer is enabled")
    return profile.issuer_url


def kubelet_object_id(
    identities: Mapping[str, containerservice.outputs.UserAssignedIdentityManagedClusterResponse] | None,
) -> str:
    """The object ID of the kubelet identity, which pulls images."""
    kubelet = (identities or {}).get("kubeletidentity")
    if kubelet is None or not kubelet.object_id:
        raise ValueError("the cluster reports no kubelet identity")
    return kubelet.object_id


def cluster_principal_id(identity: Any) -> str:
    """The object ID of the cluster's own identity (it attaches the ingress IP to its load balancer)."""
    if identity is None or not identity.principal_id:
        raise ValueError("the cluster reports no identity principal")
    return str(identity.principal_id)


class Cluster(pulumi.ComponentResource):
    """A Free-tier AKS cluster without local accounts; Azure RBAC decides who may do what."""

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        """Create the cluster and read the CA certificate Argo CD must trust."""
        super().__init__("medqa:platform:Cluster", name, None, opts)
        access = None
        if args.authorized_ip_ranges:
            access = containerservice.ManagedClusterAPIServerAccessProfileArgs(
                authorized_ip_ranges=list(args.authorized_ip_ranges)
            )
        self.cluster = containerservice.ManagedCluster(
            name,
            resource_name_=args.name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            dns_prefix=args.name,
            kubernetes_version=args.kubernetes_version,
            sku=containerservice.ManagedClusterSKUArgs(name="Base", tier=guardrails.AKS_SKU_TIER),
            identity=containerservice.ManagedClusterIdentityArgs(
                type=containerservice.ResourceIdentityType.SYSTEM_ASSIGNED
            ),
            # No static kubeconfig credentials: every caller signs in with Entra ID.
            disable_local_accounts=True,
            enable_rbac=True,
            aad_profile=containerservice.ManagedClusterAADProfileArgs(
                managed=True, enable_azure_rbac=True, tenant_id=args.tenant_id
            ),
            oidc_issuer_profile=containerservice.ManagedClusterOIDCIssuerProfileArgs(enabled=True),
            security_profile=containerservice.ManagedClusterSecurityProfileArgs(
                workload_identity=containerservice.ManagedClusterSecurityProfileWorkloadIdentityArgs(enabled=True)
            ),
            agent_pool_profiles=[
                containerservice.ManagedClusterAgentPoolProfileArgs(
                    name="system",
                    mode="System",
                    type="VirtualMachineScaleSets",
                    os_type="Linux",
                    os_sku="AzureLinux",
                    vm_size=args.vm_size,
                    count=args.node_count,
                    min_count=args.node_count,
                    max_count=args.max_node_count,
                    enable_auto_scaling=True,
                    enable_node_public_ip=False,
                    vnet_subnet_id=args.node_subnet_id,
                )
            ],
            network_profile=containerservice.ContainerServiceNetworkProfileArgs(
                network_plugin="azure",
                network_plugin_mode="overlay",
                network_dataplane="cilium",
                network_policy="cilium",
                pod_cidr=POD_CIDR,
                service_cidr="172.16.0.0/16",
                dns_service_ip="172.16.0.10",
                # Advanced Container Networking security: the overlay's CiliumNetworkPolicy toFQDNs egress rules.
                advanced_networking=containerservice.AdvancedNetworkingArgs(
                    enabled=True,
                    security=containerservice.AdvancedNetworkingSecurityArgs(
                        enabled=True, advanced_network_policies="FQDN"
                    ),
                ),
            ),
            api_server_access_profile=access,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.cluster_name = self.cluster.name
        self.api_server_url = pulumi.Output.concat("https://", self.cluster.fqdn, ":443")
        self.oidc_issuer_url = self.cluster.oidc_issuer_profile.apply(issuer_url)
        self.kubelet_object_id = self.cluster.identity_profile.apply(kubelet_object_id)
        self.principal_id = self.cluster.identity.apply(cluster_principal_id)
        credentials = containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=args.resource_group_name,
            resource_name=self.cluster.name,
        )
        # The CA certificate is public; only the kubeconfig around it comes back marked secret.
        self.ca_data = pulumi.Output.unsecret(
            credentials.kubeconfigs.apply(lambda configs: ca_data_from_kubeconfig(configs[0].value))
        )
        self.register_outputs(
            {
                "name": self.cluster_name,
                "api_server_url": self.api_server_url,
                "oidc_issuer_url": self.oidc_issuer_url,
            }
        )
