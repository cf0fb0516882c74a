variable "environment" {
  type        = string
  description = "The environment short name, part of the private endpoint's name (one registry has one endpoint per environment)."
}

variable "registry_id" {
  type        = string
  description = "The resource ID of the shared registry (environments/shared)."
}

variable "registry_name" {
  type        = string
  description = "The name of the shared registry."
}

variable "resource_group_name" {
  type        = string
  description = "The resource group of the environment, which holds the private endpoint."
}

variable "location" {
  type        = string
  description = "The Azure region of the environment's virtual network."
}

variable "kubelet_identity_object_id" {
  type        = string
  description = "The object ID of the AKS kubelet identity that is granted AcrPull."
}

variable "private_endpoint_enabled" {
  type        = bool
  default     = true
  description = "Whether the cluster pulls through a private endpoint in its own VNet (false only for dev, to save the endpoint's cost)."
}

variable "private_endpoint_subnet_id" {
  type        = string
  default     = null
  description = "The subnet ID for the private endpoint; required when private_endpoint_enabled is true."

  # A validation, not a precondition: a null subnet would otherwise first fail the endpoint's schema check.
  validation {
    condition     = !var.private_endpoint_enabled || var.private_endpoint_subnet_id != null
    error_message = "private_endpoint_subnet_id is required when private_endpoint_enabled is true."
  }
}

variable "private_dns_zone_id" {
  type        = string
  default     = null
  description = "The ID of the environment's privatelink.azurecr.io private DNS zone; required when private_endpoint_enabled is true."

  validation {
    condition     = !var.private_endpoint_enabled || var.private_dns_zone_id != null
    error_message = "private_dns_zone_id is required when private_endpoint_enabled is true."
  }
}

variable "tags" {
  type        = map(string)
  description = "The tags applied to every resource (from the naming module)."
}
