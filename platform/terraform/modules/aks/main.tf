# The control plane's own identity, so it can be granted rights on the node subnet before the cluster exists.
resource "azurerm_user_assigned_identity" "control_plane" {
  name                = "id-${var.name}"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = var.tags
}

resource "azurerm_role_assignment" "control_plane_network" {
  scope                = var.node_subnet_id
  role_definition_name = "Network Contributor"
  principal_id         = azurerm_user_assigned_identity.control_plane.principal_id
  principal_type       = "ServicePrincipal"
}

# The kubelet's identity exists before the cluster, so AcrPull can be granted before the first pull.
resource "azurerm_user_assigned_identity" "kubelet" {
  name                = "id-${var.name}-kubelet"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = var.tags
}

# AKS requires the control plane to be able to assign the kubelet identity to the nodes.
resource "azurerm_role_assignment" "control_plane_kubelet_operator" {
  scope                = azurerm_user_assigned_identity.kubelet.id
  role_definition_name = "Managed Identity Operator"
  principal_id         = azurerm_user_assigned_identity.control_plane.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_kubernetes_cluster" "this" {
  #checkov:skip=CKV_AZURE_172:The Secrets Store CSI add-on is off on purpose: External Secrets Operator syncs Key Vault secrets (and rotates them on its refresh interval).
  #checkov:skip=CKV_AZURE_117:Disks use platform-managed keys plus encryption at host; a customer-managed key would add a Key Vault key and disk encryption set to operate, with no requirement asking for it.
  name                = var.name
  resource_group_name = var.resource_group_name
  location            = var.location
  dns_prefix          = var.name
  kubernetes_version  = var.kubernetes_version
  sku_tier            = var.sku_tier
  node_resource_group = "${var.resource_group_name}-nodes"
  tags                = var.tags

  # Identity and access: Entra ID users, Azure RBAC for Kubernetes authorization, no static admin kubeconfig.
  local_account_disabled            = true
  role_based_access_control_enabled = true
  oidc_issuer_enabled               = true
  workload_identity_enabled         = true
  run_command_enabled               = false
  azure_policy_enabled              = true
  image_cleaner_enabled             = true
  image_cleaner_interval_hours      = 48
  private_cluster_enabled           = var.private_cluster_enabled

  automatic_upgrade_channel = var.automatic_upgrade_channel
  node_os_upgrade_channel   = var.node_os_upgrade_channel

  azure_active_directory_role_based_access_control {
    tenant_id              = var.tenant_id
    azure_rbac_enabled     = true
    admin_group_object_ids = var.admin_group_object_ids
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.control_plane.id]
  }

  kubelet_identity {
    client_id                 = azurerm_user_assigned_identity.kubelet.client_id
    object_id                 = azurerm_user_assigned_identity.kubelet.principal_id
    user_assigned_identity_id = azurerm_user_assigned_identity.kubelet.id
  }

  dynamic "api_server_access_profile" {
    for_each = var.private_cluster_enabled ? [] : [1]
    content {
      authorized_ip_ranges = var.authorized_ip_ranges
    }
  }

  default_node_pool {
    name                         = "system"
    vm_size                      = var.system_pool.vm_size
    vnet_subnet_id               = var.node_subnet_id
    zones                        = var.zones
    auto_scaling_enabled         = true
    min_count                    = var.system_pool.min_count
    max_count                    = var.system_pool.max_count
    max_pods                     = 110
    only_critical_addons_enabled = true
    os_sku                       = "AzureLinux"
    os_disk_type                 = "Ephemeral"
    os_disk_size_gb              = var.system_pool.os_disk_size_gb
    host_encryption_enabled      = var.host_encryption_enabled
    temporary_name_for_rotation  = "systemtmp"
    tags                         = var.tags

    upgrade_settings {
      max_surge = "33%"
    }
  }

  # Azure CNI overlay: pods get addresses outside the VNet; Cilium enforces NetworkPolicy.
  network_profile {
    network_plugin      = "azure"
    network_plugin_mode = "overlay"
    network_data_plane  = "cilium"
    network_policy      = "cilium"
    pod_cidr            = var.network.pod_cidr
    service_cidr        = var.network.service_cidr
    dns_service_ip      = var.network.dns_service_ip
    load_balancer_sku   = "standard"
    outbound_type       = "loadBalancer"

    # Advanced Container Networking Services security: Cilium FQDN policies (toFQDNs), so the
    # service reaches only Gemini and Entra login instead of 0.0.0.0/0:443. Observability (flow
    # logs) is a separate paid feature and stays off.
    advanced_networking {
      security_enabled      = true
      observability_enabled = false
    }
  }

  # Node autoprovisioning stays off: the cluster autoscaler scales the two pools below.
  node_provisioning_profile {
    mode = "Manual"
  }

  # No Secrets Store CSI add-on: External Secrets Operator (an Argo CD add-on) syncs Key Vault
  # secrets into Secrets, which the CSI driver only does while a pod mounts them.

  oms_agent {
    log_analytics_workspace_id      = var.log_analytics_workspace_id
    msi_auth_for_monitoring_enabled = true
  }

  # Managed Prometheus: the metrics add-on, fed to the Azure Monitor workspace by the rules below.
  monitor_metrics {}

  maintenance_window_auto_upgrade {
    frequency   = "Weekly"
    interval    = 1
    day_of_week = var.maintenance_window.day_of_week
    start_time  = var.maintenance_window.start_time
    duration    = var.maintenance_window.duration
    utc_offset  = var.maintenance_window.utc_offset
  }

  maintenance_window_node_os {
    frequency   = "Weekly"
    interval    = 1
    day_of_week = var.maintenance_window.day_of_week
    start_time  = var.maintenance_window.start_time
    duration    = var.maintenance_window.duration
    utc_offset  = var.maintenance_window.utc_offset
  }

  lifecycle {
    # The autoscaler owns the node count; upgrades own the patch version.
    ignore_changes = [default_node_pool[0].node_count]

    precondition {
      # A public API server open to the whole internet is what we must never create.
      condition     = var.private_cluster_enabled || length(var.authorized_ip_ranges) > 0
      error_message = "Give authorized_ip_ranges when private_cluster_enabled is false."
    }
    precondition {
      condition     = alltrue([for r in var.authorized_ip_ranges : r != "0.0.0.0/0"])
      error_message = "authorized_ip_ranges must not contain 0.0.0.0/0."
    }
  }

  depends_on = [azurerm_role_assignment.control_plane_network, azurerm_role_assignment.control_plane_kubelet_operator]
}

resource "azurerm_kubernetes_cluster_node_pool" "user" {
  name                    = "user"
  kubernetes_cluster_id   = azurerm_kubernetes_cluster.this.id
  mode                    = "User"
  vm_size                 = var.user_pool.vm_size
  vnet_subnet_id          = var.node_subnet_id
  zones                   = var.zones
  auto_scaling_enabled    = true
  min_count               = var.user_pool.min_count
  max_count               = var.user_pool.max_count
  max_pods                = 110
  os_sku                  = "AzureLinux"
  os_disk_type            = "Ephemeral"
  os_disk_size_gb         = var.user_pool.os_disk_size_gb
  host_encryption_enabled = var.host_encryption_enabled
  node_labels             = { "medqa.io/pool" = "user" }
  tags                    = var.tags

  upgrade_settings {
    max_surge = "33%"
  }

  lifecycle {
    ignore_changes = [node_count]
  }
}
