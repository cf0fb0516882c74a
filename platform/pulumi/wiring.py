"""The wiring keys of docs/platform-contract.md: what an environment's overlay platform.env holds.

Terraform's `gitops_wiring` output has the same keys for dev, staging and prod; an extra environment's
stack exports them as its `wiring` output, and gitops_files writes them as KEY=value lines.
"""

from __future__ import annotations

from typing import Any

import pulumi

# In the contract's order, which is also the order of the lines in platform.env.
KEYS = (
    "ENVIRONMENT",
    "NAMESPACE",
    "SERVICE_ACCOUNT",
    "WORKLOAD_IDENTITY_CLIENT_ID",
    "TENANT_ID",
    "KEY_VAULT_URL",
    "GEMINI_SECRET_NAME",
    "POSTGRES_HOST",
    "POSTGRES_DATABASE",
    "POSTGRES_USER",
    "POSTGRES_SUBNET_CIDR",
    "POD_CIDR",
    "ACR_LOGIN_SERVER",
    "PUBLIC_HOST",
    "ORIGIN_HOST",
    "INGRESS_CLASS",
    "TLS_SECRET",
    "FRONT_DOOR_ID",
    "MIGRATE_SERVICE_ACCOUNT",
    "MIGRATE_WORKLOAD_IDENTITY_CLIENT_ID",
    "MIGRATE_POSTGRES_USER",
)
SERVICE_ACCOUNT = "medqa"
# The migration Job's account: its identity is the PostgreSQL Entra administrator, the service's is not.
MIGRATE_SERVICE_ACCOUNT = "medqa-migrate"
INGRESS_CLASS = "nginx"
TLS_SECRET = "medqa-tls"  # noqa: S105 - the name of a TLS Secret, not a secret


def public_host(name: str, zone: str) -> str:
    """The host users reach through Front Door (a custom domain in the shared zone)."""
    return f"{name}.{zone}"


def origin_host(name: str, zone: str) -> str:
    """The host Front Door connects to (an A record at the ingress address)."""
    return f"origin.{name}.{zone}"


def key_vault_url(vault_name: str) -> str:
    """The vault URI in the Azure public cloud (what the SecretStore's vaultUrl takes)."""
    return f"https://{vault_name}.vault.azure.net/"


def _values(name: str, namespace: str, inputs: dict[str, Any]) -> dict[str, str]:
    """Every wiring key from the resolved inputs."""
    zone = inputs["dns_zone_name"]
    values = {
        "ENVIRONMENT": name,
        "NAMESPACE": namespace,
        "SERVICE_ACCOUNT": SERVICE_ACCOUNT,
        "WORKLOAD_IDENTITY_CLIENT_ID": inputs["client_id"],
        "TENANT_ID": inputs["tenant_id"],
        "KEY_VAULT_URL": key_vault_url(inputs["key_vault_name"]),
        "GEMINI_SECRET_NAME": inputs["gemini_secret_name"],
        "POSTGRES_HOST": inputs["postgres_host"],
        "POSTGRES_DATABASE": inputs["postgres_database"],
        "POSTGRES_USER": inputs["postgres_user"],
        "POSTGRES_SUBNET_CIDR": inputs["postgres_subnet_cidr"],
        "POD_CIDR": inputs["pod_cidr"],
        "ACR_LOGIN_SERVER": inputs["acr_login_server"],
        "PUBLIC_HOST": public_host(name, zone),
        "ORIGIN_HOST": origin_host(name, zone),
        "INGRESS_CLASS": INGRESS_CLASS,
        "TLS_SECRET": TLS_SECRET,
        "FRONT_DOOR_ID": inputs["front_door_id"],
        "MIGRATE_SERVICE_ACCOUNT": MIGRATE_SERVICE_ACCOUNT,
        "MIGRATE_WORKLOAD_IDENTITY_CLIENT_ID": inputs["migrate_client_id"],
        "MIGRATE_POSTGRES_USER": inputs["migrate_postgres_user"],
    }
    return {key: str(values[key]) for key in KEYS}


def wiring(name: str, namespace: str, **inputs: pulumi.Input[str]) -> pulumi.Output[dict[str, str]]:
    """The wiring of environment ``name`` once its inputs (ids known at apply time) resolve."""
    return pulumi.Output.all(**inputs).apply(lambda resolved: _values(name, namespace, resolved))
