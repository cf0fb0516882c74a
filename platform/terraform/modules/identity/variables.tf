variable "name" {
  type        = string
  description = "The name of the user-assigned managed identity of the service."
}

variable "resource_group_name" {
  type        = string
  description = "The name of the resource group that holds the identity."
}

variable "location" {
  type        = string
  description = "The Azure region of the identity."
}

variable "oidc_issuer_url" {
  type        = string
  description = "The OIDC issuer URL of the AKS cluster whose service account tokens the identity trusts."

  validation {
    condition     = startswith(var.oidc_issuer_url, "https://")
    error_message = "The oidc_issuer_url must be an https URL."
  }
}

variable "service_account_namespace" {
  type        = string
  default     = "medqa"
  description = "The Kubernetes namespace of the service account that federates with the identity."
}

variable "service_account_name" {
  type        = string
  default     = "medqa"
  description = "The name of the Kubernetes service account that federates with the identity."
}

variable "tags" {
  type        = map(string)
  description = "The tags applied to every resource (from the naming module)."
}
