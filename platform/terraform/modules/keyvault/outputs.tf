output "id" {
  description = "The resource ID of the Key Vault."
  value       = azurerm_key_vault.this.id
}

output "name" {
  description = "The name of the Key Vault."
  value       = azurerm_key_vault.this.name
}

output "derived_vault_url" {
  description = "The vault URL derived from the name, known at plan time (the vault's URI is checked against it)."
  value       = local.vault_url
}

output "vault_uri" {
  description = "The URI of the Key Vault (the SecretStore's vaultUrl)."
  value       = azurerm_key_vault.this.vault_uri
}

output "secret_names" {
  description = "The names of the placeholder secrets whose values must be set out of band."
  value       = sort(tolist(var.secret_names))
}

output "posture" {
  description = "The planned security settings (public access, RBAC, purge protection), for environment tests."
  value = {
    public_network_access_enabled = azurerm_key_vault.this.public_network_access_enabled
    rbac_authorization_enabled    = azurerm_key_vault.this.rbac_authorization_enabled
    purge_protection_enabled      = azurerm_key_vault.this.purge_protection_enabled
  }
}
