output "resource_group_name" {
  description = "The resource group of the shared resources."
  value       = azurerm_resource_group.this.name
}

output "container_registry_id" {
  description = "The resource ID of the one registry."
  value       = module.acr.id
}

output "container_registry_name" {
  description = "The name of the one registry (environment roots find it by this name)."
  value       = module.acr.name
}

output "acr_login_server" {
  description = "The registry's login server (kustomization images[].newName)."
  value       = module.acr.login_server
}

output "dns_zone_name" {
  description = "The public DNS zone of the environments' hosts."
  value       = azurerm_dns_zone.this.name
}

output "dns_zone_id" {
  description = "The resource ID of the public DNS zone."
  value       = azurerm_dns_zone.this.id
}

output "dns_zone_resource_group_name" {
  description = "The resource group of the public DNS zone."
  value       = azurerm_dns_zone.this.resource_group_name
}

output "dns_zone_name_servers" {
  description = "The zone's name servers: delegate the zone to them (NS records) in the parent domain."
  value       = azurerm_dns_zone.this.name_servers
}

output "release_client_id" {
  description = "The client ID of the release identity (AZURE_CLIENT_ID of the release workflow's azure/login)."
  value       = azurerm_user_assigned_identity.release.client_id
}

output "release_principal_id" {
  description = "The principal ID of the release identity (AcrPush on the registry)."
  value       = azurerm_user_assigned_identity.release.principal_id
}

output "release_federated_subjects" {
  description = "The GitHub OIDC subjects the release identity trusts."
  value       = sort(values(local.release_subjects))
}

output "posture" {
  description = "The planned registry settings (asserted by tests/*.tftest.hcl)."
  value       = module.acr.posture
}

output "terraform_workflow_client_ids" {
  description = "Per GitHub environment of the Terraform workflow (terraform-plan-<root>, terraform-<root>): the client ID to set as its AZURE_CLIENT_ID variable."
  value       = { for k, i in local.terraform_identities : i.github_environment => azurerm_user_assigned_identity.terraform[k].client_id }
}

output "terraform_workflow_subjects" {
  description = "Per GitHub environment of the Terraform workflow: the OIDC subject its identity trusts."
  value       = { for k, i in local.terraform_identities : i.github_environment => azurerm_federated_identity_credential.terraform[k].subject }
}
