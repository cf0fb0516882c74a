resource "azurerm_key_vault" "this" {
  name                          = var.name
  resource_group_name           = var.resource_group_name
  location                      = var.location
  tenant_id                     = var.tenant_id
  sku_name                      = var.sku_name
  rbac_authorization_enabled    = true
  purge_protection_enabled      = true
  soft_delete_retention_days    = var.soft_delete_retention_days
  public_network_access_enabled = false
  tags                          = var.tags

  network_acls {
    bypass         = "AzureServices"
    default_action = "Deny"
  }

  # Other layers derive the URL from the name at plan time (gitops_wiring KEY_VAULT_URL).
  lifecycle {
    postcondition {
      condition     = self.vault_uri == local.vault_url
      error_message = "The vault URI differs from the derived ${local.vault_url}."
    }
  }
}

resource "azurerm_private_endpoint" "this" {
  name                = "pe-${var.name}"
  resource_group_name = var.resource_group_name
  location            = var.location
  subnet_id           = var.private_endpoint_subnet_id
  tags                = var.tags

  private_service_connection {
    name                           = "psc-${var.name}"
    private_connection_resource_id = azurerm_key_vault.this.id
    subresource_names              = ["vault"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = [var.private_dns_zone_id]
  }
}

resource "azurerm_role_assignment" "secrets_user" {
  for_each = var.secrets_user_principal_ids

  scope                = azurerm_key_vault.this.id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = each.value
}

resource "azurerm_role_assignment" "secrets_officer" {
  for_each = var.secrets_officer_principal_ids

  scope                = azurerm_key_vault.this.id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = each.value
}

# Placeholders only: the value is write-only (never stored in state) and is a marker, not a secret.
# Operators set the real value out of band; value_wo_version never changes, so Terraform never
# writes the placeholder over it again.
resource "azurerm_key_vault_secret" "placeholder" {
  #checkov:skip=CKV_AZURE_41:A placeholder whose value is set and rotated out of band; an expiry set here would expire the real value too.
  for_each = var.secret_names

  name             = each.key
  key_vault_id     = azurerm_key_vault.this.id
  value_wo         = "set-out-of-band"
  value_wo_version = 1
  content_type     = "text/plain; set-out-of-band"
  tags             = var.tags

  lifecycle {
    ignore_changes = [content_type, tags, expiration_date, not_before_date]
  }

  depends_on = [azurerm_role_assignment.secrets_officer, azurerm_private_endpoint.this]
}

resource "azurerm_monitor_diagnostic_setting" "this" {
  count = var.diagnostics_enabled ? 1 : 0

  name                       = "audit"
  target_resource_id         = azurerm_key_vault.this.id
  log_analytics_workspace_id = var.log_analytics_workspace_id

  enabled_log {
    category_group = "audit"
  }
}
