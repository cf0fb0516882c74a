"""What Terraform creates for an environment, computed from its own sources (no Terraform run needed).

Names follow platform/conventions.json exactly as modules/naming builds them; subnets follow the
cidrsubnet() calls of modules/network/locals.tf applied to the environment's address space.
"""

from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
TERRAFORM = REPO / "platform" / "terraform"
CONTRACT = REPO / "docs" / "platform-contract.md"
ENVIRONMENTS = ("dev", "staging", "prod")
# Every long-lived root sits in westeurope (docs/platform-contract.md: names end in -weu).
DEFAULT_LOCATION = "westeurope"


def convention() -> dict[str, Any]:
    """platform/conventions.json."""
    data: dict[str, Any] = json.loads((REPO / "platform" / "conventions.json").read_text(encoding="utf-8"))
    return data


def name(kind: str, environment: str, location: str) -> str:
    """The resource name modules/naming gives `kind` (compact and length-capped where the convention says)."""
    conv = convention()
    abbr = conv["abbreviations"][kind]
    compact = kind in conv["compact_kinds"]
    pattern = conv["compact_name_pattern"] if compact else conv["name_pattern"]
    values = {"abbr": abbr, "workload": conv["workload"], "environment": environment}
    values["region"] = conv["regions"][location]
    result = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], pattern)
    return result[: conv["max_length"].get(kind, 63)] if compact else result


def tfvars(environment: str) -> dict[str, str]:
    """The string settings of environments/<env>/terraform.tfvars; empty while the root does not exist."""
    path = TERRAFORM / "environments" / environment / "terraform.tfvars"
    if not path.is_file():
        return {}
    return dict(re.findall(r'^(\w+)\s*=\s*"([^"]*)"', path.read_text(encoding="utf-8"), re.M))


def contract_address_spaces() -> dict[str, str]:
    """The address space of each environment as docs/platform-contract.md fixes it."""
    line = next(ln for ln in CONTRACT.read_text(encoding="utf-8").splitlines() if ln.startswith("Address spaces:"))
    return {env: cidr for env, cidr in re.findall(r"(\w+) `([0-9./]+)`", line) if env in ENVIRONMENTS}


def address_space(environment: str) -> str:
    """The root's address_space, or the contract's while the root is not written yet."""
    return tfvars(environment).get("address_space") or contract_address_spaces()[environment]


def location(environment: str) -> str:
    """The root's location, or the contract's region while the root is not written yet."""
    return tfvars(environment).get("location") or DEFAULT_LOCATION


def subnet_prefix(subnet_name: str, space: str) -> str:
    """The prefix modules/network/locals.tf carves for the subnet named `subnet_name` out of `space`."""
    text = (TERRAFORM / "modules" / "network" / "locals.tf").read_text(encoding="utf-8")
    found = re.findall(
        rf'name\s*=\s*"{re.escape(subnet_name)}"\s*\n\s*address_prefix\s*=\s*'
        r"cidrsubnet\(var\.address_space,\s*(\d+)\s*-\s*local\.prefix_length,\s*(\d+)\)",
        text,
    )
    if len(found) != 1:
        raise AssertionError(f"modules/network/locals.tf: no single cidrsubnet() for subnet {subnet_name}")
    new_prefix, index = (int(n) for n in found[0])
    network = ipaddress.ip_network(space)
    size = 2 ** (network.max_prefixlen - new_prefix)
    if new_prefix < network.prefixlen or (index + 1) * size > network.num_addresses:
        raise AssertionError(f"cidrsubnet({space}, {new_prefix - network.prefixlen}, {index}) is out of range")
    return str(ipaddress.ip_network((int(network.network_address) + index * size, new_prefix)))
