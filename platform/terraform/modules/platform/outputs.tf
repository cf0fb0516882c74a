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

output "aks_oidc_issuer_url" {
  description = "The cluster's OIDC issuer URL, which workload identity federated credentials trust."
  value       = module.aks.oidc_issuer_url
}

output "pod_cidr" {
  description = "The overlay pod CIDR (MEDQA_TRUSTED_PROXIES: the ingress-nginx pods' addresses)."
  value       = module.aks.pod_cidr
}

output "acr_login_server" {
  description = "The shared registry's login server for image references."
  value       = local.acr_login_server
}

output "container_registry_id" {
  description = "The resource ID of the shared registry (environments/shared) the kubelet pulls from."
  value       = data.azurerm_container_registry.shared.id
}

output "tenant_id" {
  description = "The Entra ID tenant (azure.workload.identity/tenant-id)."
  value       = var.tenant_id
}

output "workload_identity_client_id" {
  description = "The client ID for the medqa service account's azure.workload.identity/client-id annotation."
  value       = module.identity.identities["app"].client_id
}

output "migrate_client_id" {
  description = "The client ID for the medqa-migrate service account annotation (the PostgreSQL Entra administrator's identity)."
  value       = module.identity.identities["migrate"].client_id
}

output "eso_client_id" {
  description = "The client ID of External Secrets Operator's identity (its service account annotation)."
  value       = module.identity.identities["eso"].client_id
}

output "cert_manager_client_id" {
  description = "The client ID of cert-manager's identity (its service account annotation, DNS-01 in the shared zone)."
  value       = module.identity.identities["cert_manager"].client_id
}

output "kyverno_client_id" {
  description = "The client ID of Kyverno's identity (the admission controller's service account annotation; AcrPull to read signatures)."
  value       = module.identity.identities["kyverno"].client_id
}

output "argocd_principal_id" {
  description = "The principal ID of Argo CD's identity (granted cluster admin on the clusters it deploys to)."
  value       = module.identity.identities["argocd"].principal_id
}

output "argocd_client_id" {
  description = "The client ID of Argo CD's identity (its controller and server service account annotations)."
  value       = module.identity.identities["argocd"].client_id
}

output "federated_subjects" {
  description = "Per identity role, the service account subjects its federated credentials trust."
  value       = module.identity.federated_subjects
}

output "key_vault_name" {
  description = "The name of the environment's Key Vault."
  value       = module.keyvault.name
}

output "key_vault_id" {
  description = "The resource ID of the environment's Key Vault."
  value       = module.keyvault.id
}

output "key_vault_uri" {
  description = "The Key Vault URI (the SecretStore's vaultUrl)."
  value       = module.keyvault.vault_uri
}

output "key_vault_secrets_to_set" {
  description = "The secrets whose values must be set out of band after the first apply."
  value       = module.keyvault.secret_names
}

output "postgres_server_name" {
  description = "The name of the PostgreSQL server."
  value       = module.postgres.name
}

output "postgres_subnet_cidr" {
  description = "The PostgreSQL delegated subnet (the NetworkPolicy egress destination)."
  value       = module.network.subnet_prefixes["postgres"]
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
  description = "The Front Door endpoint's azurefd.net host name (the public CNAME's target)."
  value       = module.edge.endpoint_host_name
}

output "frontdoor_profile_name" {
  description = "The name of the Front Door profile."
  value       = module.edge.profile_name
}

output "frontdoor_endpoint_name" {
  description = "The name of the Front Door endpoint."
  value       = module.edge.endpoint_name
}

output "public_host" {
  description = "The public host name (Front Door custom domain)."
  value       = module.edge.public_host
}

output "origin_host" {
  description = "The origin host name (A record of the ingress IP)."
  value       = module.edge.origin_host
}

output "dns_zone_name" {
  description = "The shared public DNS zone that holds the environment's records."
  value       = data.azurerm_dns_zone.shared.name
}

output "dns_zone_resource_group_name" {
  description = "The resource group of the shared public DNS zone."
  value       = local.shared_names.resource_group
}

output "ingress_ip" {
  description = "The static public IP address of the ingress load balancer."
  value       = module.aks.ingress_ip.address
}

output "ingress_ip_name" {
  description = "The name of the ingress public IP (ingress-nginx annotation service.beta.kubernetes.io/azure-pip-name)."
  value       = module.aks.ingress_ip.name
}

output "ingress_ip_resource_group" {
  description = "The resource group of the ingress public IP (annotation service.beta.kubernetes.io/azure-load-balancer-resource-group)."
  value       = module.aks.ingress_ip.resource_group_name
}

output "front_door_backend_cidrs" {
  description = "The AzureFrontDoor.Backend service tag's IPv4 ranges, comma-separated: the registration's value (annotation medqa.io/front-door-backend-cidrs, ingress-nginx proxy-real-ip-cidr), which Pulumi's dedicated clusters copy."
  value       = module.argocd_bootstrap.cluster_registration.front_door_backend_cidrs
}

output "gitops_wiring" {
  description = "The overlay's platform.env, key for key (docs/platform-contract.md); all but WORKLOAD_IDENTITY_CLIENT_ID, TENANT_ID and FRONT_DOOR_ID are known at plan time."
  value       = local.gitops_wiring
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
    network  = module.network.posture
  }
}
