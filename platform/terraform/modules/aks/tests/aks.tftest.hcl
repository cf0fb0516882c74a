mock_provider "azurerm" {}

variables {
  name                       = "aks-medqa-prod-weu"
  resource_group_name        = "rg-medqa-prod-weu"
  location                   = "westeurope"
  tenant_id                  = "00000000-0000-0000-0000-000000000000"
  admin_group_object_ids     = ["11111111-1111-1111-1111-111111111111"]
  node_subnet_id             = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-prod-weu/providers/Microsoft.Network/virtualNetworks/vnet-medqa-prod-weu/subnets/snet-aks"
  log_analytics_workspace_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-prod-weu/providers/Microsoft.OperationalInsights/workspaces/log-medqa-prod-weu"
  monitor_workspace_id       = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-prod-weu/providers/Microsoft.Monitor/accounts/amw-medqa-prod-weu"
  ingress_public_ip_name     = "pip-medqa-prod-weu-ingress"
  tags                       = { environment = "prod" }
}

run "identity_is_entra_only" {
  command = plan

  assert {
    condition     = azurerm_kubernetes_cluster.this.local_account_disabled
    error_message = "Local accounts must be disabled."
  }
  assert {
    condition     = azurerm_kubernetes_cluster.this.azure_active_directory_role_based_access_control[0].azure_rbac_enabled
    error_message = "Kubernetes authorization must use Azure RBAC."
  }
  assert {
    condition     = azurerm_kubernetes_cluster.this.oidc_issuer_enabled && azurerm_kubernetes_cluster.this.workload_identity_enabled
    error_message = "The OIDC issuer and workload identity must be on."
  }
  assert {
    condition     = azurerm_kubernetes_cluster.this.run_command_enabled == false
    error_message = "Run command bypasses the API server's network rules and must be off."
  }
}

run "network_is_overlay_with_policy_and_private_api" {
  command = plan

  assert {
    condition     = azurerm_kubernetes_cluster.this.network_profile[0].network_plugin == "azure" && azurerm_kubernetes_cluster.this.network_profile[0].network_plugin_mode == "overlay"
    error_message = "The cluster must use Azure CNI overlay."
  }
  assert {
    condition     = azurerm_kubernetes_cluster.this.network_profile[0].network_policy == "cilium"
    error_message = "A network policy engine must enforce NetworkPolicy."
  }
  assert {
    condition     = azurerm_kubernetes_cluster.this.private_cluster_enabled
    error_message = "The API server is private by default."
  }
  assert {
    condition     = azurerm_kubernetes_cluster.this.network_profile[0].network_data_plane == "cilium" && azurerm_kubernetes_cluster.this.network_profile[0].advanced_networking[0].security_enabled
    error_message = "Advanced Container Networking Services security must be on (Cilium FQDN policies)."
  }
}

run "ingress_ip_is_static_and_usable_by_the_cluster" {
  command = plan

  assert {
    condition     = azurerm_public_ip.ingress.allocation_method == "Static" && azurerm_public_ip.ingress.sku == "Standard" && azurerm_public_ip.ingress.name == "pip-medqa-prod-weu-ingress"
    error_message = "The ingress IP must be a static Standard public IP."
  }
  assert {
    condition     = azurerm_public_ip.ingress.resource_group_name == var.resource_group_name && output.ingress_ip.resource_group_name == var.resource_group_name
    error_message = "The ingress IP lives in the environment's resource group, outside the node resource group."
  }
  assert {
    condition     = azurerm_role_assignment.control_plane_ingress_ip.role_definition_name == "Network Contributor"
    error_message = "The control plane identity must be able to join the ingress IP to its load balancer."
  }
  assert {
    condition     = output.pod_cidr == "192.168.0.0/16"
    error_message = "The pod CIDR is the contract's 192.168.0.0/16."
  }
}

run "add_ons_monitoring_and_upgrades" {
  command = plan

  assert {
    condition     = length(azurerm_kubernetes_cluster.this.key_vault_secrets_provider) == 0
    error_message = "No Secrets Store CSI add-on: External Secrets Operator syncs Key Vault secrets."
  }
  assert {
    condition     = azurerm_kubernetes_cluster.this.oms_agent[0].msi_auth_for_monitoring_enabled && azurerm_kubernetes_cluster.this.oms_agent[0].log_analytics_workspace_id == var.log_analytics_workspace_id
    error_message = "Container Insights must send to Log Analytics with managed identity."
  }
  assert {
    condition     = length(azurerm_kubernetes_cluster.this.monitor_metrics) == 1 && azurerm_monitor_data_collection_rule.prometheus.destinations[0].monitor_account[0].monitor_account_id == var.monitor_workspace_id
    error_message = "Managed Prometheus must be on and feed the Azure Monitor workspace."
  }
  assert {
    condition     = azurerm_kubernetes_cluster.this.automatic_upgrade_channel == "patch" && azurerm_kubernetes_cluster.this.node_os_upgrade_channel == "NodeImage"
    error_message = "Automatic upgrade channels must be set."
  }
  assert {
    condition     = azurerm_kubernetes_cluster.this.maintenance_window_auto_upgrade[0].day_of_week == "Sunday" && length(azurerm_kubernetes_cluster.this.maintenance_window_node_os) == 1
    error_message = "Upgrades must run in the maintenance window."
  }
  assert {
    condition     = azurerm_kubernetes_cluster.this.kubernetes_version == "1.34"
    error_message = "The cluster targets Kubernetes 1.34."
  }
}

run "pools_span_zones_and_autoscale" {
  command = plan

  assert {
    condition     = tolist(azurerm_kubernetes_cluster.this.default_node_pool[0].zones) == tolist(["1", "2", "3"]) && tolist(azurerm_kubernetes_cluster_node_pool.user.zones) == tolist(["1", "2", "3"])
    error_message = "Both pools must span three zones."
  }
  assert {
    condition     = azurerm_kubernetes_cluster.this.default_node_pool[0].auto_scaling_enabled && azurerm_kubernetes_cluster_node_pool.user.auto_scaling_enabled
    error_message = "Both pools must autoscale."
  }
  assert {
    condition     = azurerm_kubernetes_cluster.this.default_node_pool[0].only_critical_addons_enabled && azurerm_kubernetes_cluster_node_pool.user.mode == "User"
    error_message = "The system pool runs critical add-ons only; the app runs on the user pool."
  }
}

run "public_api_server_needs_authorized_ranges" {
  command = plan

  variables {
    private_cluster_enabled = false
  }

  expect_failures = [azurerm_kubernetes_cluster.this]
}

run "public_api_server_with_ranges" {
  command = plan

  variables {
    private_cluster_enabled = false
    authorized_ip_ranges    = ["203.0.113.0/24"]
  }

  assert {
    condition     = tolist(azurerm_kubernetes_cluster.this.api_server_access_profile[0].authorized_ip_ranges) == tolist(["203.0.113.0/24"])
    error_message = "A public API server must be limited to the authorized ranges."
  }
}

run "open_api_server_is_rejected" {
  command = plan

  variables {
    private_cluster_enabled = false
    authorized_ip_ranges    = ["0.0.0.0/0"]
  }

  expect_failures = [azurerm_kubernetes_cluster.this]
}

run "kubelet_identity_is_ours_before_the_cluster_exists" {
  command = plan

  assert {
    condition     = azurerm_role_assignment.control_plane_kubelet_operator.role_definition_name == "Managed Identity Operator"
    error_message = "The control plane must be allowed to assign the kubelet identity."
  }
  assert {
    condition     = azurerm_role_assignment.control_plane_network.role_definition_name == "Network Contributor" && azurerm_role_assignment.control_plane_network.scope == var.node_subnet_id
    error_message = "The control plane needs Network Contributor on the node subnet only."
  }
}
