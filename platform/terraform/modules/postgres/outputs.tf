output "id" {
  description = "The resource ID of the server."
  value       = azurerm_postgresql_flexible_server.this.id
}

output "name" {
  description = "The name of the server."
  value       = azurerm_postgresql_flexible_server.this.name
}

output "derived_fqdn" {
  description = "The FQDN derived from the name, known at plan time (the server's fqdn is checked against it)."
  value       = local.fqdn
}

output "fqdn" {
  description = "The private FQDN of the server (resolves only inside the virtual network)."
  value       = azurerm_postgresql_flexible_server.this.fqdn
}

output "database_name" {
  description = "The name of the application database."
  value       = azurerm_postgresql_flexible_server_database.this.name
}

output "posture" {
  description = "The planned security and resilience settings (public access, HA mode, zones, geo backups), for environment tests."
  value = {
    public_network_access_enabled = azurerm_postgresql_flexible_server.this.public_network_access_enabled
    high_availability_mode        = try(azurerm_postgresql_flexible_server.this.high_availability[0].mode, null)
    zone                          = azurerm_postgresql_flexible_server.this.zone
    standby_zone                  = try(azurerm_postgresql_flexible_server.this.high_availability[0].standby_availability_zone, null)
    geo_redundant_backup_enabled  = azurerm_postgresql_flexible_server.this.geo_redundant_backup_enabled
    password_auth_enabled         = azurerm_postgresql_flexible_server.this.authentication[0].password_auth_enabled
    service_principal_admins = {
      for k, a in azurerm_postgresql_flexible_server_active_directory_administrator.service_principal : k => {
        principal_name = a.principal_name
        principal_type = a.principal_type
      }
    }
  }
}
