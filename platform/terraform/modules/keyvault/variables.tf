variable "name" {
  type        = string
  description = "The globally unique name of the Key Vault (3 to 24 characters)."

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$", var.name))
    error_message = "The Key Vault name must be 3 to 24 letters, digits or dashes, starting with a letter."
  }
}

variable "resource_group_name" {
  type        = string
  description = "The name of the resource group that holds the Key Vault."
}

variable "location" {
  type        = string
  description = "The Azure region of the Key Vault."
}

variable "tenant_id" {
  type        = string
  description = "The Entra ID tenant that authenticates requests to the Key Vault."
}

variable "sku_name" {
  type        = string
  default     = "standard"
  description = "The Key Vault SKU: standard or premium (HSM-backed keys)."

  validation {
    condition     = contains(["standard", "premium"], var.sku_name)
    error_message = "The sku_name must be standard or premium."
  }
}

variable "soft_delete_retention_days" {
  type        = number
  default     = 90
  description = "How many days deleted secrets stay recoverable (7 to 90)."

  validation {
    condition     = var.soft_delete_retention_days >= 7 && var.soft_delete_retention_days <= 90
    error_message = "The soft_delete_retention_days must be between 7 and 90."
  }
}

variable "private_endpoint_subnet_id" {
  type        = string
  description = "The subnet ID for the Key Vault's private endpoint."
}

variable "private_dns_zone_id" {
  type        = string
  description = "The ID of the privatelink.vaultcore.azure.net private DNS zone."
}

variable "secret_names" {
  type        = set(string)
  default     = ["gemini-api-key", "argocd-oncall-webhook-url"]
  description = "The secrets created as placeholders; their real values are set out of band (az keyvault secret set), never in state or tfvars: the app's Gemini key and the Argo CD notifications on-call webhook URL."

  validation {
    condition     = alltrue([for s in var.secret_names : can(regex("^[a-zA-Z0-9-]{1,127}$", s))])
    error_message = "Secret names may contain only letters, digits and dashes."
  }
}

variable "secrets_user_principal_ids" {
  type        = map(string)
  default     = {}
  description = "Principals granted Key Vault Secrets User (read secret values), keyed by a stable label; the app's workload identity goes here."
}

variable "secrets_officer_principal_ids" {
  type        = map(string)
  default     = {}
  description = "Principals granted Key Vault Secrets Officer (set secret values out of band), keyed by a stable label: operators and the deploying identity."
}

variable "diagnostics_enabled" {
  type        = bool
  default     = true
  description = "Whether to send the Key Vault audit logs to log_analytics_workspace_id (a flag, since the ID is unknown at plan time)."
}

variable "log_analytics_workspace_id" {
  type        = string
  default     = null
  description = "The Log Analytics workspace that receives the Key Vault audit logs; required when diagnostics_enabled is true."

  validation {
    condition     = !var.diagnostics_enabled || var.log_analytics_workspace_id != null
    error_message = "log_analytics_workspace_id is required when diagnostics_enabled is true."
  }
}

variable "tags" {
  type        = map(string)
  description = "The tags applied to every resource (from the naming module)."
}
