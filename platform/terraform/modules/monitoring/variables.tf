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

variable "alert_webhook_url" {
  type        = string
  default     = null
  sensitive   = true
  description = "An optional webhook receiver of the action group (the on-call chat or paging endpoint); null adds none."

  validation {
    condition     = var.alert_webhook_url == null || can(regex("^https://", var.alert_webhook_url))
    error_message = "The alert_webhook_url must be an https URL."
  }
}

variable "alerts_enabled" {
  type        = bool
  default     = true
  description = "Whether to create the metric alerts and the Prometheus rule groups (a flag, since the target IDs are unknown at plan time)."
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

variable "aks_cluster_name" {
  type        = string
  default     = null
  description = "The name of the AKS cluster the Prometheus rule groups evaluate; required when alerts_enabled is true."

  validation {
    condition     = !var.alerts_enabled || var.aks_cluster_name != null
    error_message = "aks_cluster_name is required when alerts_enabled is true."
  }
}

variable "prometheus_rules_dir" {
  type        = string
  description = "The folder of the Prometheus rule files (*.rules.yml, observability/prometheus/rules) deployed as Azure Prometheus rule groups."

  validation {
    condition     = length(fileset(var.prometheus_rules_dir, "*.rules.yml")) > 0
    error_message = "The prometheus_rules_dir holds no *.rules.yml file."
  }
}

variable "runbook_base_url" {
  type        = string
  default     = null
  description = "The URL that the rule files' relative runbook_url annotations are joined to (the repository's browse URL); null leaves them as they are."

  validation {
    condition     = var.runbook_base_url == null || can(regex("^https://", var.runbook_base_url))
    error_message = "The runbook_base_url must be an https URL."
  }
}

variable "grafana_name" {
  type        = string
  description = "The name of the Azure Managed Grafana instance (2 to 23 letters, digits or dashes)."

  validation {
    condition     = can(regex("^[a-zA-Z][-a-zA-Z0-9]{0,21}[a-zA-Z0-9]$", var.grafana_name))
    error_message = "The grafana_name must be 2 to 23 letters, digits or dashes, starting with a letter and ending with a letter or digit."
  }
}

variable "grafana_major_version" {
  type        = string
  default     = "12"
  description = "The Grafana major version of the managed instance: 12 or 13."

  validation {
    condition     = contains(["12", "13"], var.grafana_major_version)
    error_message = "The grafana_major_version must be 12 or 13."
  }
}

variable "grafana_public_network_access_enabled" {
  type        = bool
  default     = true
  description = "Whether Grafana is reachable over its public endpoint (Entra ID sign-in only); false needs a private endpoint to reach it."
}

variable "grafana_zone_redundancy_enabled" {
  type        = bool
  default     = false
  description = "Whether the Grafana instance is spread over availability zones (prod)."
}

variable "grafana_admin_principal_ids" {
  type        = map(string)
  default     = {}
  description = "The Entra ID principals (usually the operators' group) that get Grafana Admin, keyed by a stable label."
}

variable "grafana_editor_principal_ids" {
  type        = map(string)
  default     = {}
  description = "The principals that push dashboards (the jump host identity Ansible runs as), keyed by a stable label; they get Grafana Editor."
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
