output "resource_group_name" {
  description = "The resource group of the environment."
  value       = module.platform.resource_group_name
}

output "aks_name" {
  description = "The AKS cluster name."
  value       = module.platform.aks_name
}

output "acr_login_server" {
  description = "The registry login server."
  value       = module.platform.acr_login_server
}

output "workload_identity_client_id" {
  description = "The client ID for the medqa service account annotation (GitOps overlay)."
  value       = module.platform.workload_identity_client_id
}

output "key_vault_uri" {
  description = "The Key Vault URI for the SecretProviderClass (GitOps overlay)."
  value       = module.platform.key_vault_uri
}

output "key_vault_secrets_to_set" {
  description = "The secrets whose values must be set out of band."
  value       = module.platform.key_vault_secrets_to_set
}

output "postgres_fqdn" {
  description = "The private FQDN of the PostgreSQL server."
  value       = module.platform.postgres_fqdn
}

output "frontdoor_endpoint" {
  description = "The Front Door host name."
  value       = module.platform.frontdoor_endpoint
}

output "frontdoor_id" {
  description = "The Front Door ID the ingress checks in X-Azure-FDID."
  value       = module.platform.frontdoor_id
}

output "jumphost" {
  description = "The Ansible inventory facts of the jump host."
  value       = module.platform.jumphost
}

output "posture" {
  description = "The planned security and resilience settings (asserted by tests/*.tftest.hcl)."
  value       = module.platform.posture
}
