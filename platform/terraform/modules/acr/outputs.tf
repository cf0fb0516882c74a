output "id" {
  description = "The resource ID of the registry."
  value       = azurerm_container_registry.this.id
}

output "name" {
  description = "The name of the registry."
  value       = azurerm_container_registry.this.name
}

output "login_server" {
  description = "The login server of the registry (used in image references)."
  value       = azurerm_container_registry.this.login_server
}

output "posture" {
  description = "The planned security settings (admin user, anonymous pull, public access, SKU, push grants), for environment tests."
  value = {
    admin_enabled                 = azurerm_container_registry.this.admin_enabled
    anonymous_pull_enabled        = azurerm_container_registry.this.anonymous_pull_enabled
    public_network_access_enabled = azurerm_container_registry.this.public_network_access_enabled
    sku                           = azurerm_container_registry.this.sku
    push_roles                    = { for k, r in azurerm_role_assignment.push : k => r.role_definition_name }
  }
}
