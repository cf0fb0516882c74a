variable "log_analytics_name" {
  type        = string
  description = "The name of the Log Analytics workspace (Container Insights, audit logs)."
}

variable "monitor_workspace_name" {
  type        = string
  description = "The name of the Azure Monitor workspace that stores managed Prometheus metrics."
}

variable "action_group_name" {
  type        = string
  description = "The name of the action group that alerts notify."
}

variable "resource_group_name" {
  type        = string
  description = "The name of the resource group that holds the monitoring resources."
}

variable "location" {
  type        = string
  description = "The Azure region of the monitoring resources."
}

variable "log_retention_days" {
  type        = number
  default     = 30
  description = "How many days Log Analytics keeps data (30 is included in the ingestion price)."

  validation {
    condition     = var.log_retention_days >= 30 && var.log_retention_days <= 730
    error_message = "The log_retention_days must be between 30 and 730."
  }
}

variable "daily_quota_gb" {
  type        = number
  default     = -1
  description = "The Log Analytics daily ingestion cap in GB; -1 means no cap (a cost guard for dev)."
}

variable "alert_emails" {
  type        = map(string)
  description = "The e-mail receivers of the action group, keyed by a short receiver name."

  validation {
    condition     = length(var.alert_emails) > 0 && alltrue([for e in values(var.alert_emails) : can(regex("^[^@\\s]+@[^@\\s]+$", e))])
    error_message = "Give at least one valid e-mail address."
  }
}

variable "alerts_enabled" {
  type        = bool
  default     = true
  description = "Whether to create the metric alerts (a flag, since the target IDs are unknown at plan time)."
}

variable "postgres_server_id" {
  type        = string
  default     = null
  description = "The PostgreSQL Flexible Server watched by the database alerts; required when alerts_enabled is true."

  # A cross-variable rule, but a validation rather than a precondition: a null scope would fail
  # the provider's own checks first, with a less clear message.
  validation {
    condition     = !var.alerts_enabled || var.postgres_server_id != null
    error_message = "postgres_server_id is required when alerts_enabled is true."
  }
}

variable "aks_cluster_id" {
  type        = string
  default     = null
  description = "The AKS cluster watched by the cluster alerts; required when alerts_enabled is true."

  validation {
    condition     = !var.alerts_enabled || var.aks_cluster_id != null
    error_message = "aks_cluster_id is required when alerts_enabled is true."
  }
}

variable "thresholds" {
  type = object({
    db_cpu_percent        = optional(number, 80)
    db_memory_percent     = optional(number, 85)
    db_storage_percent    = optional(number, 80)
    db_failed_connections = optional(number, 10)
    node_cpu_percent      = optional(number, 80)
    node_memory_percent   = optional(number, 85)
  })
  default     = {}
  description = "The alert thresholds; each has a sensible default."
}

variable "tags" {
  type        = map(string)
  description = "The tags applied to every resource (from the naming module)."
}
