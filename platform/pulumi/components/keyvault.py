"""Key Vaults and the secrets an environment's pods read through External Secrets (SecretStore medqa-keyvault)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import keyvault

from components import roles


@dataclass
class KeyVaultArgs:
    """Inputs of KeyVault."""

    name: str
    resource_group_name: pulumi.Input[str]
    location: str
    tenant_id: pulumi.Input[str]
    allowed_subnet_id: pulumi.Input[str]
    tags: dict[str, str]


class KeyVault(pulumi.ComponentResource):
    """An RBAC-only vault reachable from one subnet (plus trusted Azure services), nowhere else."""

    def __init__(self, name: str, args: KeyVaultArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        """Create the vault."""
        super().__init__("medqa:platform:KeyVault", name, None, opts)
        self.vault = keyvault.Vault(
            name,
            vault_name=args.name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=args.tags,
            properties=keyvault.VaultPropertiesArgs(
                tenant_id=args.tenant_id,
                sku=keyvault.SkuArgs(family=keyvault.SkuFamily.A, name=keyvault.SkuName.STANDARD),
                enable_rbac_authorization=True,
                enable_soft_delete=True,
                soft_delete_retention_in_days=7,
                # Purge protection would keep the name of a deleted short-lived vault locked for the whole
                # retention period, so the next environment of the same name could not be created.
                enable_purge_protection=None,
                network_acls=keyvault.NetworkRuleSetArgs(
                    default_action="Deny",
                    bypass="AzureServices",
                    virtual_network_rules=[keyvault.VirtualNetworkRuleArgs(id=args.allowed_subnet_id)],
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.id = self.vault.id
        self.vault_name = self.vault.name
        self.register_outputs({"id": self.id, "name": self.vault_name})


@dataclass
class SecretsArgs:
    """Inputs of Secrets."""

    vault_name: pulumi.Input[str]
    vault_id: pulumi.Input[str]
    resource_group_name: pulumi.Input[str]
    values: dict[str, pulumi.Input[str]]
    reader_principal_id: pulumi.Input[str]
    tags: dict[str, str]


class Secrets(pulumi.ComponentResource):
    """Secrets in a vault, each readable by one identity and nobody else it did not already trust."""

    def __init__(self, name: str, args: SecretsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        """Create each secret and grant the reader Key Vault Secrets User on that secret alone."""
        super().__init__("medqa:platform:Secrets", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.secrets: dict[str, keyvault.Secret] = {}
        for secret_name, value in args.values.items():
            secret = keyvault.Secret(
                f"{name}-{secret_name}",
                secret_name=secret_name,
                vault_name=args.vault_name,
                resource_group_name=args.resource_group_name,
                properties=keyvault.SecretPropertiesArgs(value=value, content_type="text/plain"),
                tags=args.tags,
                opts=child,
            )
            roles.assign(
                f"{name}-{secret_name}-reader",
                "Key Vault Secrets User",
                pulumi.Output.concat(args.vault_id, "/secrets/", secret_name),
                args.reader_principal_id,
                child,
            )
            self.secrets[secret_name] = secret
        self.names = sorted(args.values)
        self.register_outputs({"names": self.names})
