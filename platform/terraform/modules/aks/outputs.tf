output "id" {
  description = "The resource ID of the cluster."
  value       = azurerm_kubernetes_cluster.this.id
}

output "name" {
  description = "The name of the cluster."
  value       = azurerm_kubernetes_cluster.this.name
}

output "oidc_issuer_url" {
  description = "The OIDC issuer URL that workload identity federated credentials trust."
  value       = azurerm_kubernetes_cluster.this.oidc_issuer_url
}

output "kubelet_identity_object_id" {
  description = "The object ID of the kubelet identity (granted AcrPull on the registry)."
  value       = azurerm_user_assigned_identity.kubelet.principal_id
}

output "pod_cidr" {
  description = "The overlay pod CIDR (the ingress-nginx pods' addresses, MEDQA_TRUSTED_PROXIES)."
  value       = var.network.pod_cidr
}

output "ingress_ip" {
  description = "The ingress load balancer's static public IP: its name, resource group, ID and address."
  value = {
    name                = azurerm_public_ip.ingress.name
    resource_group_name = azurerm_public_ip.ingress.resource_group_name
    id                  = azurerm_public_ip.ingress.id
    address             = azurerm_public_ip.ingress.ip_address
  }
}

output "node_resource_group" {
  description = "The resource group AKS manages for the nodes."
  value       = azurerm_kubernetes_cluster.this.node_resource_group
}

output "posture" {
  description = "The planned security and resilience settings (API server exposure, local accounts, zones), for environment tests."
  value = {
    private_cluster_enabled = azurerm_kubernetes_cluster.this.private_cluster_enabled
    local_account_disabled  = azurerm_kubernetes_cluster.this.local_account_disabled
    sku_tier                = azurerm_kubernetes_cluster.this.sku_tier
    system_zones            = azurerm_kubernetes_cluster.this.default_node_pool[0].zones
    user_zones              = azurerm_kubernetes_cluster_node_pool.user.zones
    authorized_ip_ranges    = try(azurerm_kubernetes_cluster.this.api_server_access_profile[0].authorized_ip_ranges, [])
    acns_security_enabled   = azurerm_kubernetes_cluster.this.network_profile[0].advanced_networking[0].security_enabled
  }
}
