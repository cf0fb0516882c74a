# The same outputs in every environment root (dev, staging, prod): Pulumi, the GitOps wiring
# and Ansible read them by these names.
output "resource_group_name" {
  description = "The resource group of the environment."
  value       = module.platform.resource_group_name
}

output "aks_name" {
  description = "The AKS cluster name."
  value       = module.platform.aks_name
}

output "aks_oidc_issuer_url" {
  description = "The cluster's OIDC issuer URL (federated credentials trust it)."
  value       = module.platform.aks_oidc_issuer_url
}

output "pod_cidr" {
  description = "The overlay pod CIDR (MEDQA_TRUSTED_PROXIES)."
  value       = module.platform.pod_cidr
}

output "tenant_id" {
  description = "The Entra ID tenant (azure.workload.identity/tenant-id)."
  value       = module.platform.tenant_id
}

output "acr_login_server" {
  description = "The shared registry's login server."
  value       = module.platform.acr_login_server
}

output "container_registry_id" {
  description = "The resource ID of the shared registry the kubelet pulls from."
  value       = module.platform.container_registry_id
}

output "workload_identity_client_id" {
  description = "The client ID for the medqa service account annotation (GitOps overlay)."
  value       = module.platform.workload_identity_client_id
}

output "migrate_client_id" {
  description = "The client ID for the medqa-migrate service account annotation (GitOps overlay; the PostgreSQL Entra administrator)."
  value       = module.platform.migrate_client_id
}

output "eso_client_id" {
  description = "The client ID of External Secrets Operator's identity (its service account annotation)."
  value       = module.platform.eso_client_id
}

output "cert_manager_client_id" {
  description = "The client ID of cert-manager's identity (its service account annotation)."
  value       = module.platform.cert_manager_client_id
}

output "kyverno_client_id" {
  description = "The client ID of Kyverno's identity (the admission controller's service account annotation)."
  value       = module.platform.kyverno_client_id
}

output "argocd_principal_id" {
  description = "The principal ID of Argo CD's identity (role assignments on the clusters it deploys to)."
  value       = module.platform.argocd_principal_id
}

output "argocd_client_id" {
  description = "The client ID of Argo CD's identity (its service account annotations)."
  value       = module.platform.argocd_client_id
}

output "federated_subjects" {
  description = "The service account subjects each identity's federated credentials trust."
  value       = module.platform.federated_subjects
}

output "key_vault_name" {
  description = "The name of the environment's Key Vault."
  value       = module.platform.key_vault_name
}

output "key_vault_id" {
  description = "The resource ID of the environment's Key Vault."
  value       = module.platform.key_vault_id
}

output "key_vault_uri" {
  description = "The Key Vault URI (the SecretStore's vaultUrl)."
  value       = module.platform.key_vault_uri
}

output "key_vault_secrets_to_set" {
  description = "The secrets whose values must be set out of band."
  value       = module.platform.key_vault_secrets_to_set
}

output "postgres_server_name" {
  description = "The name of the PostgreSQL server."
  value       = module.platform.postgres_server_name
}

output "postgres_fqdn" {
  description = "The private FQDN of the PostgreSQL server."
  value       = module.platform.postgres_fqdn
}

output "postgres_subnet_cidr" {
  description = "The PostgreSQL delegated subnet (NetworkPolicy egress destination)."
  value       = module.platform.postgres_subnet_cidr
}

output "frontdoor_endpoint" {
  description = "The Front Door endpoint host name (the public CNAME's target)."
  value       = module.platform.frontdoor_endpoint
}

output "frontdoor_id" {
  description = "The Front Door ID the app checks in X-Azure-FDID (MEDQA_FRONT_DOOR_ID)."
  value       = module.platform.frontdoor_id
}

output "frontdoor_profile_name" {
  description = "The name of the Front Door profile."
  value       = module.platform.frontdoor_profile_name
}

output "frontdoor_endpoint_name" {
  description = "The name of the Front Door endpoint."
  value       = module.platform.frontdoor_endpoint_name
}

output "public_host" {
  description = "The public host name (Front Door custom domain)."
  value       = module.platform.public_host
}

output "origin_host" {
  description = "The origin host name (A record of the ingress IP)."
  value       = module.platform.origin_host
}

output "dns_zone_name" {
  description = "The shared public DNS zone."
  value       = module.platform.dns_zone_name
}

output "dns_zone_resource_group_name" {
  description = "The resource group of the shared public DNS zone."
  value       = module.platform.dns_zone_resource_group_name
}

output "front_door_backend_cidrs" {
  description = "The AzureFrontDoor.Backend IPv4 ranges, comma-separated, as the cluster registration carries them (read by platform/pulumi for its dedicated clusters)."
  value       = module.platform.front_door_backend_cidrs
}

output "ingress_ip" {
  description = "The static public IP address of the ingress load balancer."
  value       = module.platform.ingress_ip
}

output "ingress_ip_name" {
  description = "The name of the ingress public IP (azure-pip-name annotation)."
  value       = module.platform.ingress_ip_name
}

output "ingress_ip_resource_group" {
  description = "The resource group of the ingress public IP (azure-load-balancer-resource-group annotation)."
  value       = module.platform.ingress_ip_resource_group
}

output "gitops_wiring" {
  description = "The overlay's platform.env, key for key (docs/platform-contract.md)."
  value       = module.platform.gitops_wiring
}

output "jumphost" {
  description = "The Ansible inventory facts of the jump host."
  value       = module.platform.jumphost
}

output "posture" {
  description = "The planned security and resilience settings (asserted by tests/*.tftest.hcl)."
  value       = module.platform.posture
}

output "grafana_endpoint" {
  description = "The Azure Managed Grafana endpoint Ansible loads the dashboards into."
  value       = module.platform.grafana_endpoint
}

output "grafana_id" {
  description = "The Azure Managed Grafana resource ID."
  value       = module.platform.grafana_id
}

output "prometheus_alert_names" {
  description = "The alerts deployed as Azure Prometheus rule groups from observability/prometheus/rules."
  value       = module.platform.prometheus_alert_names
}

output "jumphost_resource_group_name" {
  description = "The resource group of the jump host (Ansible's include_vm_resource_groups)."
  value       = module.platform.jumphost_resource_group_name
}

output "jumphost_vm_name" {
  description = "The jump host VM name (Ansible's inventory host)."
  value       = module.platform.jumphost_vm_name
}

output "bastion_subnet_cidr" {
  description = "The AzureBastionSubnet range the jump host's firewall admits SSH from."
  value       = module.platform.bastion_subnet_cidr
}

output "argocd" {
  description = "The Argo CD SSO facts (redirect URIs, the federated credential to add to the Entra app) and the cluster registration."
  value       = module.platform.argocd
}
