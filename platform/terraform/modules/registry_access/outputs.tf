output "pull_role_assignment" {
  description = "The AcrPull grant of the kubelet identity: scope, role and principal."
  value = {
    scope        = azurerm_role_assignment.kubelet_acr_pull.scope
    role         = azurerm_role_assignment.kubelet_acr_pull.role_definition_name
    principal_id = azurerm_role_assignment.kubelet_acr_pull.principal_id
  }
}

output "posture" {
  description = "The planned access settings (private endpoint, pull role and its scope), for environment tests."
  value = {
    private_endpoint = length(azurerm_private_endpoint.this) == 1
    pull_role        = azurerm_role_assignment.kubelet_acr_pull.role_definition_name
    pull_scope       = azurerm_role_assignment.kubelet_acr_pull.scope
  }
}
