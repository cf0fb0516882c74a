"""The virtual network of a dedicated environment: a node subnet and a PostgreSQL-delegated subnet."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import network

from components import guardrails


@dataclass
class NetworkArgs:
    """Inputs of Network."""

    name: str
    resource_group_name: pulumi.Input[str]
    location: str
    nsg_name: str
    address_space: str
    tags: dict[str, str]
    ingress_ip_name: str = ""

    @property
    def aks_nsg_name(self) -> str:
        """The node subnet's NSG (the PostgreSQL subnet's carries the plain convention name)."""
        return f"{self.nsg_name}-aks"


class Network(pulumi.ComponentResource):
    """A VNet carved like Terraform's network module, with a deny-by-default NSG on the database subnet."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        """Create the VNet, its subnets and the PostgreSQL subnet's NSG."""
        super().__init__("medqa:platform:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        prefixes = guardrails.subnet_prefixes(args.address_space)
        self.postgres_nsg = network.NetworkSecurityGroup(
            f"{name}-postgres",
            network_security_group_name=args.nsg_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            security_rules=[
                network.SecurityRuleArgs(
                    name="allow-aks-postgres",
                    priority=100,
                    direction="Inbound",
                    access="Allow",
                    protocol="Tcp",
                    source_address_prefix=prefixes["aks"],
                    source_port_range="*",
                    destination_address_prefix="*",
                    destination_port_range="5432",
                ),
                network.SecurityRuleArgs(
                    name="deny-all-inbound",
                    priority=4096,
                    direction="Inbound",
                    access="Deny",
                    protocol="*",
                    source_address_prefix="*",
                    source_port_range="*",
                    destination_address_prefix="*",
                    destination_port_range="*",
                ),
            ],
            tags=args.tags,
            opts=child,
        )
        self.aks_nsg = network.NetworkSecurityGroup(
            f"{name}-aks",
            network_security_group_name=args.aks_nsg_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            security_rules=front_door_only_rules(),
            tags=args.tags,
            opts=child,
        )
        # The ingress controller's static address; Front Door's origin A record points at it.
        self.ingress_ip = network.PublicIPAddress(
            f"{name}-ingress-ip",
            public_ip_address_name=args.ingress_ip_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            sku=network.PublicIPAddressSkuArgs(name="Standard", tier="Regional"),
            public_ip_allocation_method="Static",
            public_ip_address_version="IPv4",
            tags=args.tags,
            opts=child,
        )
        self.vnet = network.VirtualNetwork(
            name,
            virtual_network_name=args.name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            address_space=network.AddressSpaceArgs(address_prefixes=[args.address_space]),
            subnets=[
                network.SubnetArgs(
                    name="snet-aks",
                    address_prefix=prefixes["aks"],
                    network_security_group=network.NetworkSecurityGroupArgs(id=self.aks_nsg.id),
                    # The Key Vault firewall admits this subnet through its service endpoint.
                    service_endpoints=[network.ServiceEndpointPropertiesFormatArgs(service="Microsoft.KeyVault")],
                ),
                network.SubnetArgs(
                    name="snet-postgres",
                    address_prefix=prefixes["postgres"],
                    network_security_group=network.NetworkSecurityGroupArgs(id=self.postgres_nsg.id),
                    delegations=[
                        network.DelegationArgs(
                            name="postgres",
                            service_name="Microsoft.DBforPostgreSQL/flexibleServers",
                        )
                    ],
                ),
            ],
            tags=args.tags,
            opts=child,
        )
        self.vnet_id = self.vnet.id
        self.aks_subnet_id = self.vnet.id.apply(lambda vnet_id: f"{vnet_id}/subnets/snet-aks")
        self.postgres_subnet_id = self.vnet.id.apply(lambda vnet_id: f"{vnet_id}/subnets/snet-postgres")
        self.postgres_prefix = prefixes["postgres"]
        self.ingress_address = self.ingress_ip.ip_address.apply(lambda ip: ip or "")
        self.register_outputs({"vnet_id": self.vnet_id, "postgres_prefix": self.postgres_prefix})


def front_door_only_rules() -> list[network.SecurityRuleArgs]:
    """Web traffic to the nodes only from Front Door's back ends (docs/platform-contract.md, WAF bypass)."""

    def web(rule: str, priority: int, access: str, source: str) -> network.SecurityRuleArgs:
        return network.SecurityRuleArgs(
            name=rule,
            priority=priority,
            direction="Inbound",
            access=access,
            protocol="Tcp",
            source_address_prefix=source,
            source_port_range="*",
            destination_address_prefix="*",
            destination_port_ranges=["80", "443"],
        )

    return [
        web("allow-frontdoor-web", 100, "Allow", "AzureFrontDoor.Backend"),
        web("deny-internet-web", 200, "Deny", "Internet"),
    ]
