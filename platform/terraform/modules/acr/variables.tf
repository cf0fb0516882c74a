variable "name" {
  type        = string
  description = "The globally unique, alphanumeric name of the container registry."

  validation {
    condition     = can(regex("^[a-zA-Z0-9]{5,50}$", var.name))
    error_message = "The registry name must be 5 to 50 alphanumeric characters."
  }
}

variable "resource_group_name" {
  type        = string
  description = "The name of the resource group that holds the registry."
}

variable "location" {
  type        = string
  description = "The Azure region of the registry."
}

variable "sku" {
  type        = string
  default     = "Premium"
  description = "The registry SKU: Basic, Standard or Premium (private endpoints and zone redundancy need Premium)."

  validation {
    condition     = contains(["Basic", "Standard", "Premium"], var.sku)
    error_message = "The sku must be Basic, Standard or Premium."
  }
}

variable "private_endpoint_enabled" {
  type        = bool
  default     = false
  description = "Whether to disable public network access and reach the registry through a private endpoint (prod)."
}

variable "private_endpoint_subnet_id" {
  type        = string
  default     = null
  description = "The subnet ID for the private endpoint; required when private_endpoint_enabled is true."

  # Without it the registry would be private and unreachable. A validation, not a precondition:
  # a null subnet would otherwise first fail the private endpoint's own schema check.
  validation {
    condition     = !var.private_endpoint_enabled || var.private_endpoint_subnet_id != null
    error_message = "private_endpoint_subnet_id is required when private_endpoint_enabled is true."
  }
}

variable "private_dns_zone_id" {
  type        = string
  default     = null
  description = "The ID of the privatelink.azurecr.io private DNS zone; required when private_endpoint_enabled is true."

  validation {
    condition     = !var.private_endpoint_enabled || var.private_dns_zone_id != null
    error_message = "private_dns_zone_id is required when private_endpoint_enabled is true."
  }
}

variable "kubelet_identity_object_id" {
  type        = string
  description = "The object ID of the AKS kubelet identity that is granted AcrPull."
}

variable "retention_days" {
  type        = number
  default     = 7
  description = "How many days untagged manifests are kept (Premium only)."
}

variable "tags" {
  type        = map(string)
  description = "The tags applied to every resource (from the naming module)."
}
