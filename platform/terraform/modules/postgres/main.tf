resource "azurerm_private_dns_zone" "this" {
  # VNet-integrated servers need a zone ending in postgres.database.azure.com of their own.
  name                = "${var.name}.private.postgres.database.azure.com"
  resource_group_name = var.resource_group_name
  tags                = var.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "this" {
  name                 = "${var.name}-link"
  private_dns_zone_id  = azurerm_private_dns_zone.this.id
  virtual_network_id   = var.vnet_id
  registration_enabled = false
  tags                 = var.tags
}

resource "azurerm_postgresql_flexible_server" "this" {
  #checkov:skip=CKV_AZURE_136:Geo-redundant backups follow var.geo_redundant_backup: on in prod (tested), off in dev for cost.
  #checkov:skip=CKV2_AZURE_57:Private access through VNet integration (delegated subnet, private DNS zone, no public access) instead of a private endpoint.
  name                          = var.name
  resource_group_name           = var.resource_group_name
  location                      = var.location
  version                       = var.postgres_version
  sku_name                      = var.sku_name
  storage_mb                    = var.storage_mb
  auto_grow_enabled             = true
  zone                          = var.zone
  delegated_subnet_id           = var.delegated_subnet_id
  private_dns_zone_id           = azurerm_private_dns_zone.this.id
  public_network_access_enabled = false
  backup_retention_days         = var.backup_retention_days
  geo_redundant_backup_enabled  = var.geo_redundant_backup
  tags                          = var.tags

  # Entra ID only: no password exists anywhere, so none can leak into state.
  authentication {
    active_directory_auth_enabled = true
    password_auth_enabled         = false
    tenant_id                     = var.tenant_id
  }

  dynamic "high_availability" {
    for_each = var.high_availability ? [1] : []
    content {
      mode                      = "ZoneRedundant"
      standby_availability_zone = var.standby_zone
    }
  }

  maintenance_window {
    day_of_week  = 0
    start_hour   = 2
    start_minute = 0
  }

  lifecycle {
    # Other layers derive the host from the name at plan time (gitops_wiring POSTGRES_HOST).
    postcondition {
      condition     = self.fqdn == local.fqdn
      error_message = "The server FQDN differs from the derived ${local.fqdn}: fix the derivation in locals.tf."
    }
    precondition {
      # Burstable servers cannot run a high-availability standby.
      condition     = !var.high_availability || !startswith(var.sku_name, "B_")
      error_message = "high_availability needs a GP_ or MO_ SKU."
    }
    precondition {
      # A standby in the same zone would not survive a zone outage.
      condition     = !var.high_availability || var.standby_zone != var.zone
      error_message = "The standby_zone must differ from the zone."
    }
  }

  depends_on = [azurerm_private_dns_zone_virtual_network_link.this]
}

resource "azurerm_postgresql_flexible_server_active_directory_administrator" "this" {
  server_name         = azurerm_postgresql_flexible_server.this.name
  resource_group_name = var.resource_group_name
  tenant_id           = var.tenant_id
  object_id           = var.entra_admin.object_id
  principal_name      = var.entra_admin.principal_name
  principal_type      = var.entra_admin.principal_type
}

# Service principals (the service's managed identity) log in with an Entra token instead of a
# password; principal_name must be the identity's name, the role name the app connects as.
resource "azurerm_postgresql_flexible_server_active_directory_administrator" "service_principal" {
  for_each = var.service_principal_admins

  server_name         = azurerm_postgresql_flexible_server.this.name
  resource_group_name = var.resource_group_name
  tenant_id           = var.tenant_id
  object_id           = each.value.object_id
  principal_name      = each.value.principal_name
  principal_type      = "ServicePrincipal"

  # Entra administrators are written one at a time by the service.
  depends_on = [azurerm_postgresql_flexible_server_active_directory_administrator.this]
}

resource "azurerm_postgresql_flexible_server_database" "this" {
  name      = var.database_name
  server_id = azurerm_postgresql_flexible_server.this.id
  charset   = "UTF8"
  collation = "en_US.utf8"

  lifecycle {
    prevent_destroy = true
  }
}

resource "azurerm_postgresql_flexible_server_configuration" "this" {
  for_each = local.server_parameters

  name      = each.key
  server_id = azurerm_postgresql_flexible_server.this.id
  value     = each.value
}
