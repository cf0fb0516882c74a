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

variable "public_network_access_enabled" {
  type        = bool
  default     = true
  description = "Whether the public endpoint is reachable (with Entra authentication); true for GitHub-hosted runners, which have no fixed egress IPs."
}

variable "push_principal_ids" {
  type        = map(string)
  default     = {}
  description = "Service principals granted AcrPush, keyed by a stable label (the release workflow's identity)."
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
