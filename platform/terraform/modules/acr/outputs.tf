output "id" {
  description = "The resource ID of the registry."
  value       = azurerm_container_registry.this.id
}

output "login_server" {
  description = "The login server of the registry (used in image references)."
  value       = azurerm_container_registry.this.login_server
}

output "posture" {
  description = "The planned security settings (admin user, public access, private endpoint), for environment tests."
  value = {
    admin_enabled                 = azurerm_container_registry.this.admin_enabled
    public_network_access_enabled = azurerm_container_registry.this.public_network_access_enabled
    private_endpoint              = length(azurerm_private_endpoint.this) == 1
  }
}
