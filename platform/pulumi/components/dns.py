"""The public DNS name of an environment that shares the core's ingress."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import dns

TTL_SECONDS = 300


@dataclass
class DnsRecordArgs:
    """Inputs of DnsRecord."""

    label: str
    zone_name: pulumi.Input[str]
    resource_group_name: pulumi.Input[str]
    ipv4_address: pulumi.Input[str]
    tags: dict[str, str]


class DnsRecord(pulumi.ComponentResource):
    """An A record <label>.<zone> pointing at the shared ingress."""

    def __init__(self, name: str, args: DnsRecordArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        """Create the record; DNS records carry the tags as metadata."""
        super().__init__("medqa:platform:DnsRecord", name, None, opts)
        self.record = dns.RecordSet(
            name,
            relative_record_set_name=args.label,
            record_type="A",
            zone_name=args.zone_name,
            resource_group_name=args.resource_group_name,
            ttl=TTL_SECONDS,
            a_records=[dns.ARecordArgs(ipv4_address=args.ipv4_address)],
            metadata=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.hostname = pulumi.Output.concat(args.label, ".", args.zone_name)
        self.register_outputs({"hostname": self.hostname})
