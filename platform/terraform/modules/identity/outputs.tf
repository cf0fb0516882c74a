output "id" {
  description = "The resource ID of the identity."
  value       = azurerm_user_assigned_identity.this.id
}

output "client_id" {
  description = "The client ID of the identity: the azure.workload.identity/client-id annotation of the service account."
  value       = azurerm_user_assigned_identity.this.client_id
}

output "principal_id" {
  description = "The object ID of the identity's service principal, for role assignments."
  value       = azurerm_user_assigned_identity.this.principal_id
}

output "federated_subject" {
  description = "The service account subject the federated credential trusts."
  value       = local.subject
}
