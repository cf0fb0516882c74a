"""The public edge of an environment on the core cluster: its own host on the core Front Door profile.

The core ingress admits only Front Door (NSG service tag and the X-Azure-FDID check), so an A record at the
ingress would be unreachable. Instead, as for dev (docs/platform-contract.md, Hosts): a custom domain
`<name>.<zone>` with a managed certificate, an origin `origin.<name>.<zone>` (A record at the core ingress)
sent the public host as Host header, a route for it, and the CNAME + validation TXT record in the zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import wiring
from pulumi_azure_native import cdn, dns

TTL_SECONDS = 300
HEALTH_PROBE_PATH = "/healthz"


@dataclass
class EdgeArgs:
    """Inputs of Edge."""

    label: str
    zone_name: pulumi.Input[str]
    zone_resource_group_name: pulumi.Input[str]
    ingress_ip: pulumi.Input[str]
    profile_name: pulumi.Input[str]
    endpoint_name: pulumi.Input[str]
    profile_resource_group_name: pulumi.Input[str]
    tags: dict[str, str]

    @property
    def afd_name(self) -> str:
        """The name of this environment's Front Door children (custom domain, origin group, route)."""
        return f"medqa-{self.label}"


class Edge(pulumi.ComponentResource):
    """Custom domain, origin group + origin, route on the core profile; CNAME, TXT and origin A record."""

    def __init__(self, name: str, args: EdgeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        """Create the Front Door children and the DNS records that make the host resolve and validate."""
        super().__init__("medqa:platform:Edge", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.hostname = pulumi.Output.from_input(args.zone_name).apply(lambda z: wiring.public_host(args.label, z))
        self.origin_hostname = pulumi.Output.from_input(args.zone_name).apply(
            lambda z: wiring.origin_host(args.label, z)
        )
        afd = {"profile_name": args.profile_name, "resource_group_name": args.profile_resource_group_name}
        self.origin_record = self._record(
            f"{name}-origin",
            f"origin.{args.label}",
            args,
            child,
            a_records=[dns.ARecordArgs(ipv4_address=args.ingress_ip)],
        )
        self.origin_group = cdn.AFDOriginGroup(
            f"{name}-origin-group",
            origin_group_name=args.afd_name,
            health_probe_settings=cdn.HealthProbeParametersArgs(
                probe_path=HEALTH_PROBE_PATH,
                probe_protocol="Https",
                probe_request_type="GET",
                probe_interval_in_seconds=100,
            ),
            load_balancing_settings=cdn.LoadBalancingSettingsParametersArgs(
                sample_size=4, successful_samples_required=3, additional_latency_in_milliseconds=50
            ),
            session_affinity_state="Disabled",
            **afd,
            opts=child,
        )
        self.origin = cdn.AFDOrigin(
            f"{name}-origin",
            origin_name=args.afd_name,
            origin_group_name=self.origin_group.name,
            host_name=self.origin_hostname,
            origin_host_header=self.hostname,
            enforce_certificate_name_check=True,
            http_port=80,
            https_port=443,
            enabled_state="Enabled",
            **afd,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.origin_record]),
        )
        self.custom_domain = cdn.AFDCustomDomain(
            f"{name}-domain",
            custom_domain_name=args.afd_name,
            host_name=self.hostname,
            tls_settings=cdn.AFDDomainHttpsParametersArgs(
                certificate_type="ManagedCertificate", minimum_tls_version="TLS12"
            ),
            **afd,
            opts=child,
        )
        token = self.custom_domain.validation_properties.apply(lambda v: v.validation_token if v else "")
        self.validation_record = dns.RecordSet(
            f"{name}-validation",
            relative_record_set_name=f"_dnsauth.{args.label}",
            record_type="TXT",
            zone_name=args.zone_name,
            resource_group_name=args.zone_resource_group_name,
            ttl=TTL_SECONDS,
            txt_records=[dns.TxtRecordArgs(value=[token])],
            metadata=args.tags,
            opts=child,
        )
        self.route = cdn.Route(
            f"{name}-route",
            route_name=args.afd_name,
            endpoint_name=args.endpoint_name,
            custom_domains=[cdn.ActivatedResourceReferenceArgs(id=self.custom_domain.id)],
            origin_group=cdn.ResourceReferenceArgs(id=self.origin_group.id),
            patterns_to_match=["/*"],
            supported_protocols=["Http", "Https"],
            https_redirect="Enabled",
            forwarding_protocol="HttpsOnly",
            link_to_default_domain="Disabled",
            **afd,
            # A route to an origin group without origins is refused.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.origin]),
        )
        endpoint = cdn.get_afd_endpoint_output(
            endpoint_name=args.endpoint_name,
            profile_name=args.profile_name,
            resource_group_name=args.profile_resource_group_name,
        )
        self.cname_record = self._record(
            f"{name}-cname", args.label, args, child, cname_record=dns.CnameRecordArgs(cname=endpoint.host_name)
        )
        self.register_outputs({"hostname": self.hostname, "origin_hostname": self.origin_hostname})

    @staticmethod
    def _record(name: str, label: str, args: EdgeArgs, opts: pulumi.ResourceOptions, **records: Any) -> dns.RecordSet:
        """A record set ``label`` in the zone (record type from the one *_record(s) keyword); tags as metadata."""
        record_type = "CNAME" if "cname_record" in records else "A"
        return dns.RecordSet(
            name,
            relative_record_set_name=label,
            record_type=record_type,
            zone_name=args.zone_name,
            resource_group_name=args.zone_resource_group_name,
            ttl=TTL_SECONDS,
            metadata=args.tags,
            opts=opts,
            **records,
        )
