"""Cost and security limits every extra environment must respect; checked before any resource exists."""

from __future__ import annotations

import ipaddress
from datetime import date

# Extra environments are never production: small general-purpose or burstable nodes only.
ALLOWED_NODE_VM_SIZES = frozenset(
    {
        "Standard_B2s",
        "Standard_B2ms",
        "Standard_B4ms",
        "Standard_D2s_v5",
        "Standard_D4s_v5",
        "Standard_D2as_v5",
    }
)
MAX_NODE_COUNT = 3
# Free tier: no uptime SLA is worth paying for on an environment that lives days.
AKS_SKU_TIER = "Free"

# Burstable PostgreSQL only; no high availability and no geo-redundant backups.
POSTGRES_SKU_TIER = "Burstable"
ALLOWED_POSTGRES_SKUS = frozenset({"Standard_B1ms", "Standard_B2s", "Standard_B2ms"})
MAX_POSTGRES_STORAGE_GB = 64
ALLOWED_POSTGRES_STORAGE_GB = frozenset({32, 64})
ALLOWED_POSTGRES_VERSIONS = frozenset({"16", "17"})

# How far ahead expires_on may lie, by environment kind.
MAX_LIFETIME_DAYS = {"preview": 14, "perf": 30, "dr": 14}

# Which shapes each environment kind may take: a DR drill inside the dev cluster would prove nothing.
ALLOWED_SHAPES = {
    "preview": ("shared-cluster", "dedicated"),
    "perf": ("shared-cluster", "dedicated"),
    "dr": ("dedicated",),
}

# A dedicated cluster is registered in the dev Argo CD under the environment's name, and the medqa AppProject
# admits exactly these cluster-name patterns (gitops/argocd/projects/medqa.yaml): never dev, staging or prod.
DEDICATED_NAME_PREFIXES = {"preview": ("pr-", "preview"), "perf": ("perf",), "dr": ("dr",)}


def dedicated_name_problems(name: str, environment: str) -> list[str]:
    """A dedicated environment's name must start as the AppProject's destination patterns expect."""
    prefixes = DEDICATED_NAME_PREFIXES.get(environment, ())
    if not prefixes or name.startswith(prefixes):
        return []
    return [f"a dedicated {environment} environment's name must start with {' or '.join(prefixes)}, got {name!r}"]


# The dedicated VNet is carved like Terraform's network module: /21 for nodes at offset 0, a /27 for
# PostgreSQL at .8.0, which needs at least a /20.
MIN_ADDRESS_PREFIX = 16
MAX_ADDRESS_PREFIX = 20


def node_problems(vm_size: str, node_count: int, max_node_count: int) -> list[str]:
    """Problems with an AKS node pool size; empty when it is within the caps."""
    problems = []
    if vm_size not in ALLOWED_NODE_VM_SIZES:
        problems.append(
            f"cluster.vmSize {vm_size!r} is not allowed for extra environments "
            f"(one of {', '.join(sorted(ALLOWED_NODE_VM_SIZES))})"
        )
    if not 1 <= node_count <= MAX_NODE_COUNT:
        problems.append(f"cluster.nodeCount must be between 1 and {MAX_NODE_COUNT}, got {node_count}")
    if not node_count <= max_node_count <= MAX_NODE_COUNT:
        problems.append(f"cluster.maxNodeCount must be between nodeCount and {MAX_NODE_COUNT}, got {max_node_count}")
    return problems


def postgres_problems(sku_name: str, storage_gb: int, version: str) -> list[str]:
    """Problems with a PostgreSQL server size; empty when it is within the caps."""
    problems = []
    if sku_name not in ALLOWED_POSTGRES_SKUS:
        problems.append(
            f"postgres.skuName {sku_name!r} is not a burstable SKU allowed for extra environments "
            f"(one of {', '.join(sorted(ALLOWED_POSTGRES_SKUS))})"
        )
    if storage_gb not in ALLOWED_POSTGRES_STORAGE_GB:
        problems.append(
            f"postgres.storageGb must be one of {sorted(ALLOWED_POSTGRES_STORAGE_GB)} "
            f"(at most {MAX_POSTGRES_STORAGE_GB}), got {storage_gb}"
        )
    if version not in ALLOWED_POSTGRES_VERSIONS:
        problems.append(f"postgres.version must be one of {sorted(ALLOWED_POSTGRES_VERSIONS)}, got {version!r}")
    return problems


def expiry_problems(environment: str, expires_on: str | None, today: date) -> list[str]:
    """Problems with the expires_on date of a short-lived environment."""
    if not expires_on:
        return [f"expiresOn is required for a {environment} environment (the expires_on tag)"]
    try:
        expiry = date.fromisoformat(expires_on)
    except ValueError:
        return [f"expiresOn must be a date in the form YYYY-MM-DD, got {expires_on!r}"]
    if len(expires_on) != 10:
        return [f"expiresOn must be a date in the form YYYY-MM-DD, got {expires_on!r}"]
    limit = MAX_LIFETIME_DAYS[environment]
    if expiry < today:
        return [f"expiresOn {expires_on} is in the past"]
    if (expiry - today).days > limit:
        return [f"expiresOn {expires_on} is more than {limit} days ahead, the limit for a {environment} environment"]
    return []


def address_space_problems(address_space: str) -> list[str]:
    """Problems with the address space of a dedicated VNet."""
    try:
        network = ipaddress.ip_network(address_space)
    except ValueError:
        return [f"cluster.addressSpace {address_space!r} is not a CIDR block such as 10.50.0.0/16"]
    if not network.is_private or network.version != 4:
        return [f"cluster.addressSpace {address_space} must be a private IPv4 block"]
    if not MIN_ADDRESS_PREFIX <= network.prefixlen <= MAX_ADDRESS_PREFIX:
        return [f"cluster.addressSpace must be between a /{MIN_ADDRESS_PREFIX} and a /{MAX_ADDRESS_PREFIX}"]
    return []


def subnet_prefixes(address_space: str) -> dict[str, str]:
    """The node and PostgreSQL subnets of a dedicated VNet (same offsets as Terraform's network module)."""
    network = ipaddress.ip_network(address_space)
    aks = next(network.subnets(new_prefix=21))
    postgres = list(network.subnets(new_prefix=27))[64]
    return {"aks": str(aks), "postgres": str(postgres)}
