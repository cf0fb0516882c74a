variable "name" {
  type        = string
  description = "The name of the AKS cluster (also its DNS prefix)."
}

variable "resource_group_name" {
  type        = string
  description = "The name of the resource group that holds the cluster."
}

variable "location" {
  type        = string
  description = "The Azure region of the cluster."
}

variable "kubernetes_version" {
  type        = string
  default     = "1.34"
  description = "The Kubernetes minor version (patches follow the automatic upgrade channel)."

  validation {
    condition     = can(regex("^1\\.[0-9]+$", var.kubernetes_version))
    error_message = "The kubernetes_version must be a minor version such as 1.34."
  }
}

variable "sku_tier" {
  type        = string
  default     = "Standard"
  description = "The control plane tier: Free (no SLA, dev), Standard (uptime SLA) or Premium (long-term support)."

  validation {
    condition     = contains(["Free", "Standard", "Premium"], var.sku_tier)
    error_message = "The sku_tier must be Free, Standard or Premium."
  }
}

variable "tenant_id" {
  type        = string
  description = "The Entra ID tenant that authenticates users of the cluster."
}

variable "admin_group_object_ids" {
  type        = list(string)
  description = "The Entra ID groups that get cluster-admin through Azure RBAC."

  validation {
    condition     = length(var.admin_group_object_ids) > 0
    error_message = "Give at least one admin group: with local accounts disabled it is the only way in."
  }
}

variable "node_subnet_id" {
  type        = string
  description = "The subnet of the node pools (pods get overlay addresses, not subnet addresses)."
}

variable "private_cluster_enabled" {
  type        = bool
  default     = true
  description = "Whether the API server has only a private endpoint in the virtual network."
}

variable "authorized_ip_ranges" {
  type        = list(string)
  default     = []
  description = "The CIDR ranges allowed to reach a public API server; required when private_cluster_enabled is false."
}

variable "network" {
  type = object({
    pod_cidr       = optional(string, "192.168.0.0/16")
    service_cidr   = optional(string, "172.16.0.0/16")
    dns_service_ip = optional(string, "172.16.0.10")
  })
  default     = {}
  description = "The overlay pod CIDR, the service CIDR and the cluster DNS address; none may overlap the virtual network."
}

variable "zones" {
  type        = list(string)
  default     = ["1", "2", "3"]
  description = "The availability zones the node pools spread across."
}

variable "system_pool" {
  type = object({
    vm_size         = optional(string, "Standard_D4ds_v5")
    min_count       = optional(number, 2)
    max_count       = optional(number, 3)
    os_disk_size_gb = optional(number, 128)
  })
  default     = {}
  description = "The system node pool (critical add-ons only): VM size, autoscaler bounds and OS disk size."
}

variable "user_pool" {
  type = object({
    vm_size         = optional(string, "Standard_D4ds_v5")
    min_count       = optional(number, 2)
    max_count       = optional(number, 6)
    os_disk_size_gb = optional(number, 128)
  })
  default     = {}
  description = "The user node pool (the service): VM size, autoscaler bounds and OS disk size."
}

variable "host_encryption_enabled" {
  type        = bool
  default     = true
  description = "Whether node disks and caches are encrypted at the host (needs the EncryptionAtHost feature registered on the subscription)."
}

variable "automatic_upgrade_channel" {
  type        = string
  default     = "patch"
  description = "The cluster upgrade channel: patch, stable, rapid or node-image."

  validation {
    condition     = contains(["patch", "stable", "rapid", "node-image"], var.automatic_upgrade_channel)
    error_message = "The automatic_upgrade_channel must be patch, stable, rapid or node-image."
  }
}

variable "node_os_upgrade_channel" {
  type        = string
  default     = "NodeImage"
  description = "The node OS upgrade channel: NodeImage, SecurityPatch, Unmanaged or None."

  validation {
    condition     = contains(["NodeImage", "SecurityPatch", "Unmanaged", "None"], var.node_os_upgrade_channel)
    error_message = "The node_os_upgrade_channel must be NodeImage, SecurityPatch, Unmanaged or None."
  }
}

variable "maintenance_window" {
  type = object({
    day_of_week = optional(string, "Sunday")
    start_time  = optional(string, "02:00")
    duration    = optional(number, 4)
    utc_offset  = optional(string, "+00:00")
  })
  default     = {}
  description = "The weekly window in which cluster and node OS upgrades may run."
}

variable "log_analytics_workspace_id" {
  type        = string
  description = "The Log Analytics workspace that receives Container Insights data."
}

variable "monitor_workspace_id" {
  type        = string
  description = "The Azure Monitor workspace that receives managed Prometheus metrics."
}

variable "ingress_public_ip_name" {
  type        = string
  description = "The name of the static public IP of the ingress load balancer (created in resource_group_name)."
}

variable "tags" {
  type        = map(string)
  description = "The tags applied to every resource (from the naming module)."
}
