variable "name" {
  type        = string
  description = "The globally unique name of the PostgreSQL Flexible Server."
}

variable "resource_group_name" {
  type        = string
  description = "The name of the resource group that holds the server."
}

variable "location" {
  type        = string
  description = "The Azure region of the server."
}

variable "vnet_id" {
  type        = string
  description = "The ID of the virtual network linked to the server's private DNS zone."
}

variable "delegated_subnet_id" {
  type        = string
  description = "The subnet delegated to Microsoft.DBforPostgreSQL/flexibleServers that hosts the server (private access)."
}

variable "postgres_version" {
  type        = string
  default     = "17"
  description = "The PostgreSQL major version."

  validation {
    condition     = contains(["16", "17"], var.postgres_version)
    error_message = "The postgres_version must be 16 or 17."
  }
}

variable "sku_name" {
  type        = string
  default     = "B_Standard_B1ms"
  description = "The compute SKU (B_ burstable for dev, GP_ or MO_ for prod; high availability needs GP_ or MO_)."

  validation {
    condition     = can(regex("^(B|GP|MO)_", var.sku_name))
    error_message = "The sku_name must start with B_, GP_ or MO_."
  }
}

variable "storage_mb" {
  type        = number
  default     = 32768
  description = "The provisioned storage in MiB; it auto-grows from there."
}

variable "zone" {
  type        = string
  default     = "1"
  description = "The availability zone of the primary server."
}

variable "high_availability" {
  type        = bool
  default     = false
  description = "Whether to run a zone-redundant standby (prod)."
}

variable "standby_zone" {
  type        = string
  default     = "2"
  description = "The availability zone of the standby when high_availability is true."
}

variable "backup_retention_days" {
  type        = number
  default     = 7
  description = "How many days of point-in-time backups are kept (7 to 35)."

  validation {
    condition     = var.backup_retention_days >= 7 && var.backup_retention_days <= 35
    error_message = "The backup_retention_days must be between 7 and 35."
  }
}

variable "geo_redundant_backup" {
  type        = bool
  default     = false
  description = "Whether backups are also stored in the paired region (prod)."
}

variable "tenant_id" {
  type        = string
  description = "The Entra ID tenant used for database authentication."
}

variable "entra_admin" {
  type = object({
    object_id      = string
    principal_name = string
    principal_type = string
  })
  description = "The Entra ID principal (usually a group) that administers the server: object_id, principal_name and principal_type (Group, ServicePrincipal or User)."

  validation {
    condition     = contains(["Group", "ServicePrincipal", "User"], var.entra_admin.principal_type)
    error_message = "The entra_admin.principal_type must be Group, ServicePrincipal or User."
  }
}

variable "service_principal_admins" {
  type = map(object({
    object_id      = string
    principal_name = string
  }))
  default     = {}
  description = "Managed identities made Entra administrators (principal type ServicePrincipal), keyed by a stable label: object_id is the principal ID, principal_name the identity's name."
}

variable "database_name" {
  type        = string
  default     = "medqa"
  description = "The name of the application database."
}

variable "server_parameters" {
  type        = map(string)
  default     = {}
  description = "Extra server parameters merged over the ones the service relies on (see locals.tf)."
}

variable "tags" {
  type        = map(string)
  description = "The tags applied to every resource (from the naming module)."
}
