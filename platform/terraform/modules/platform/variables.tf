variable "environment" {
  type        = string
  description = "The environment short name from platform/conventions.json (dev, prod, ...)."
}

variable "location" {
  type        = string
  description = "The Azure region of every resource (Front Door is global)."
}

variable "owner" {
  type        = string
  description = "The team accountable for the environment (owner tag)."
}

variable "cost_center" {
  type        = string
  description = "The cost center that pays for the environment (cost_center tag)."
}

variable "expires_on" {
  type        = string
  default     = null
  description = "The date (YYYY-MM-DD) after which a short-lived environment may be deleted."
}

variable "tenant_id" {
  type        = string
  description = "The Entra ID tenant of the subscription."
}

variable "address_space" {
  type        = string
  description = "The virtual network's address space (a /20 or larger); it must not overlap the AKS pod and service CIDRs."
}

variable "admin_group_object_ids" {
  type        = list(string)
  description = "The Entra ID groups of the platform operators: cluster admins, Key Vault secrets officers, jump host login."
}

variable "deployer_object_id" {
  type        = string
  description = "The object ID of the identity running Terraform; it needs Secrets Officer to create the secret placeholders."
}

variable "alert_emails" {
  type        = map(string)
  description = "The e-mail receivers of the alerts, keyed by a short receiver name."
}

variable "aks" {
  type = object({
    sku_tier                = optional(string, "Standard")
    private_cluster_enabled = optional(bool, true)
    authorized_ip_ranges    = optional(list(string), [])
    system_pool             = optional(object({ vm_size = optional(string), min_count = optional(number), max_count = optional(number), os_disk_size_gb = optional(number) }), {})
    user_pool               = optional(object({ vm_size = optional(string), min_count = optional(number), max_count = optional(number), os_disk_size_gb = optional(number) }), {})
  })
  default     = {}
  description = "The cluster settings that differ between environments: tier, API server exposure and pool sizes."
}

variable "postgres" {
  type = object({
    sku_name              = optional(string, "B_Standard_B1ms")
    storage_mb            = optional(number, 32768)
    high_availability     = optional(bool, false)
    geo_redundant_backup  = optional(bool, false)
    backup_retention_days = optional(number, 7)
    entra_admin = object({
      object_id      = string
      principal_name = string
      principal_type = string
    })
  })
  description = "The database settings that differ between environments, and its Entra ID administrator."
}

variable "acr" {
  type = object({
    private_endpoint_enabled = optional(bool, true)
  })
  default     = {}
  description = "Whether the cluster pulls from the shared registry through a private endpoint in its own VNet (off only in dev, for cost)."
}

variable "shared_location" {
  type        = string
  default     = "westeurope"
  description = "The region of environments/shared; the names of its registry and resource group follow the convention for it."
}

variable "dns_zone_name" {
  type        = string
  description = "The public DNS zone made by environments/shared (medqa.example.com); the environment's hosts are <env>.<zone> and origin.<env>.<zone>."

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.dns_zone_name))
    error_message = "The dns_zone_name must be a lower-case DNS name such as medqa.example.com."
  }
}

variable "monitoring" {
  type = object({
    log_retention_days                    = optional(number, 30)
    daily_quota_gb                        = optional(number, -1)
    grafana_public_network_access_enabled = optional(bool, true)
  })
  default     = {}
  description = "The Log Analytics retention and daily ingestion cap, and whether Managed Grafana has a public endpoint."
}

variable "alert_webhook_url" {
  type        = string
  default     = null
  sensitive   = true
  description = "An optional on-call webhook that the alerts' action group calls besides the e-mail receivers."
}

variable "jumphost_admin_ssh_public_key" {
  type        = string
  description = "The OpenSSH public key of the jump host's break-glass administrator."
}

variable "repo_url" {
  type        = string
  description = "The HTTPS URL of this repository, which Argo CD's root Application syncs from."
}

variable "argocd" {
  type = object({
    enabled         = optional(bool, true)
    target_revision = optional(string, "main")
    ha_enabled      = optional(bool, false)
    sso_client_id   = optional(string)
  })
  default     = {}
  description = "Whether Terraform installs Argo CD (it needs network access to the API server), the Git revision, HA, and the client ID of the Entra ID app Argo CD signs users in with (required)."

  # Admin and Dex are off: without the SSO client Argo CD would have no login at all.
  validation {
    condition     = can(regex("^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$", var.argocd.sso_client_id))
    error_message = "Set argocd.sso_client_id to the GUID client ID of Argo CD's Entra ID app registration."
  }
}
