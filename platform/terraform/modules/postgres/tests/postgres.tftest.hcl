mock_provider "azurerm" {}

variables {
  name                = "psql-medqa-dev-weu"
  resource_group_name = "rg-medqa-dev-weu"
  location            = "westeurope"
  vnet_id             = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-dev-weu/providers/Microsoft.Network/virtualNetworks/vnet-medqa-dev-weu"
  delegated_subnet_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-dev-weu/providers/Microsoft.Network/virtualNetworks/vnet-medqa-dev-weu/subnets/snet-postgres"
  tenant_id           = "00000000-0000-0000-0000-000000000000"
  entra_admin = {
    object_id      = "11111111-1111-1111-1111-111111111111"
    principal_name = "medqa-platform-admins"
    principal_type = "Group"
  }
  tags = { environment = "dev" }
}

run "server_is_private_entra_only_and_enforces_tls" {
  command = plan

  assert {
    condition     = azurerm_postgresql_flexible_server.this.public_network_access_enabled == false
    error_message = "PostgreSQL must have no public network access."
  }
  assert {
    condition     = azurerm_postgresql_flexible_server.this.delegated_subnet_id == var.delegated_subnet_id
    error_message = "PostgreSQL must live in the delegated subnet (private access)."
  }
  assert {
    condition     = azurerm_private_dns_zone.this.name == "psql-medqa-dev-weu.private.postgres.database.azure.com"
    error_message = "The server needs its own private DNS zone."
  }
  assert {
    condition     = azurerm_postgresql_flexible_server.this.authentication[0].active_directory_auth_enabled && !azurerm_postgresql_flexible_server.this.authentication[0].password_auth_enabled
    error_message = "Only Entra ID authentication may be enabled."
  }
  assert {
    condition     = azurerm_postgresql_flexible_server.this.administrator_password == null && azurerm_postgresql_flexible_server.this.administrator_password_wo == null
    error_message = "No administrator password may exist."
  }
  assert {
    condition     = azurerm_postgresql_flexible_server_configuration.this["require_secure_transport"].value == "on"
    error_message = "TLS must be enforced."
  }
  assert {
    condition     = contains(["TLSv1.2", "TLSv1.3"], azurerm_postgresql_flexible_server_configuration.this["ssl_min_protocol_version"].value)
    error_message = "The minimum TLS version must be 1.2 or newer."
  }
  assert {
    condition     = azurerm_postgresql_flexible_server_database.this.name == "medqa" && azurerm_postgresql_flexible_server_database.this.charset == "UTF8"
    error_message = "The medqa database must exist with UTF8."
  }
  assert {
    condition     = length(azurerm_postgresql_flexible_server.this.high_availability) == 0 && !azurerm_postgresql_flexible_server.this.geo_redundant_backup_enabled
    error_message = "dev defaults have no HA and no geo backup (cost)."
  }
}

run "service_identity_logs_in_with_a_token" {
  command = plan

  variables {
    service_principal_admins = {
      app = { object_id = "33333333-3333-3333-3333-333333333333", principal_name = "id-medqa-dev-weu" }
    }
  }

  assert {
    condition     = azurerm_postgresql_flexible_server_active_directory_administrator.service_principal["app"].principal_type == "ServicePrincipal"
    error_message = "A managed identity is an Entra administrator of type ServicePrincipal."
  }
  assert {
    condition     = azurerm_postgresql_flexible_server_active_directory_administrator.service_principal["app"].principal_name == "id-medqa-dev-weu" && azurerm_postgresql_flexible_server_active_directory_administrator.service_principal["app"].object_id == "33333333-3333-3333-3333-333333333333"
    error_message = "The principal name is the identity's name (the role the app connects as), the object ID its principal ID."
  }
  assert {
    condition     = output.derived_fqdn == "psql-medqa-dev-weu.postgres.database.azure.com"
    error_message = "The host is derived from the name at plan time."
  }
}

run "prod_settings_give_zone_redundant_ha_and_geo_backups" {
  command = plan

  variables {
    sku_name              = "GP_Standard_D2ds_v5"
    high_availability     = true
    geo_redundant_backup  = true
    backup_retention_days = 35
  }

  assert {
    condition     = azurerm_postgresql_flexible_server.this.high_availability[0].mode == "ZoneRedundant"
    error_message = "prod must run a zone-redundant standby."
  }
  assert {
    condition     = azurerm_postgresql_flexible_server.this.high_availability[0].standby_availability_zone != azurerm_postgresql_flexible_server.this.zone
    error_message = "The standby must be in another zone."
  }
  assert {
    condition     = azurerm_postgresql_flexible_server.this.geo_redundant_backup_enabled && azurerm_postgresql_flexible_server.this.backup_retention_days == 35
    error_message = "prod backups must be geo-redundant and kept 35 days."
  }
}

run "burstable_sku_cannot_have_ha" {
  command = plan

  variables {
    high_availability = true
  }

  expect_failures = [azurerm_postgresql_flexible_server.this]
}

run "standby_in_same_zone_is_rejected" {
  command = plan

  variables {
    sku_name          = "GP_Standard_D2ds_v5"
    high_availability = true
    standby_zone      = "1"
  }

  expect_failures = [azurerm_postgresql_flexible_server.this]
}
