output "resource_group_name" {
  description = "The resource group of the environment."
  value       = azurerm_resource_group.this.name
}

output "names" {
  description = "The resource names from the shared convention."
  value       = local.names
}

output "aks_name" {
  description = "The AKS cluster name (az aks get-credentials --name)."
  value       = module.aks.name
}

output "acr_login_server" {
  description = "The registry login server for image references."
  value       = module.acr.login_server
}

output "workload_identity_client_id" {
  description = "The client ID for the medqa service account's azure.workload.identity/client-id annotation."
  value       = module.identity.client_id
}

output "key_vault_uri" {
  description = "The Key Vault URI for the SecretProviderClass."
  value       = module.keyvault.vault_uri
}

output "key_vault_secrets_to_set" {
  description = "The secrets whose values must be set out of band after the first apply."
  value       = module.keyvault.secret_names
}

output "postgres_fqdn" {
  description = "The private FQDN of the PostgreSQL server."
  value       = module.postgres.fqdn
}

output "postgres_database" {
  description = "The application database name."
  value       = module.postgres.database_name
}

output "frontdoor_endpoint" {
  description = "The Front Door host name clients use."
  value       = module.edge.endpoint_host_name
}

output "frontdoor_id" {
  description = "The Front Door ID the ingress must require in the X-Azure-FDID header."
  value       = module.edge.frontdoor_id
}

output "jumphost" {
  description = "What Ansible's inventory needs to reach the jump host through Bastion."
  value       = module.jumphost.ansible_inventory
}

output "grafana_endpoint" {
  description = "The Azure Managed Grafana URL that Ansible loads the dashboards into."
  value       = module.monitoring.grafana_endpoint
}

output "grafana_id" {
  description = "The resource ID of the Azure Managed Grafana instance."
  value       = module.monitoring.grafana_id
}

output "prometheus_alert_names" {
  description = "The alerts of observability/prometheus/rules deployed as Azure Prometheus rule groups."
  value       = module.monitoring.prometheus_alert_names
}

output "jumphost_resource_group_name" {
  description = "The resource group of the jump host VMs (the Ansible inventory's include_vm_resource_groups)."
  value       = module.jumphost.resource_group_name
}

output "jumphost_vm_name" {
  description = "The jump host VM name (tagged medqa-role=jump-host and medqa-bastion-tunnel-port)."
  value       = module.jumphost.vm_name
}

output "bastion_subnet_cidr" {
  description = "The AzureBastionSubnet range, the only SSH source the jump host's nftables rule admits."
  value       = module.jumphost.bastion_subnet_cidr
}

output "key_vault_name" {
  description = "The Key Vault name Ansible reads its secrets from."
  value       = module.jumphost.key_vault_name
}

output "argocd" {
  description = "Argo CD: the cluster registration secret for External Secrets Operator and what the Entra ID app needs (redirect URIs, federated credential)."
  value = {
    cluster_registration_secret_name = module.argocd_bootstrap.cluster_registration_secret_name
    cluster_registration             = module.argocd_bootstrap.cluster_registration
    sso_redirect_uris                = module.argocd_bootstrap.sso_redirect_uris
    sso_federated_credential         = module.argocd_bootstrap.sso_federated_credential
  }
}

output "tags" {
  description = "The tags every resource carries."
  value       = local.tags
}

output "posture" {
  description = "The planned security and resilience settings of every module, asserted by the environment tests."
  value = {
    aks      = module.aks.posture
    acr      = module.acr.posture
    postgres = module.postgres.posture
    keyvault = module.keyvault.posture
    edge     = module.edge.posture
  }
}
