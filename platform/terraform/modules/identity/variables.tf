variable "identities" {
  type = map(object({
    name             = string
    namespace        = string
    service_accounts = list(string)
  }))
  description = "The user-assigned identities, keyed by role (app, migrate, eso, cert_manager, argocd, kyverno): the identity name and the Kubernetes service accounts that federate with it."

  validation {
    condition     = alltrue([for i in values(var.identities) : length(i.service_accounts) > 0])
    error_message = "Every identity needs at least one service account to federate with."
  }
}

variable "resource_group_name" {
  type        = string
  description = "The name of the resource group that holds the identities."
}

variable "location" {
  type        = string
  description = "The Azure region of the identities."
}

variable "oidc_issuer_url" {
  type        = string
  description = "The OIDC issuer URL of the AKS cluster whose service account tokens the identities trust."

  validation {
    condition     = startswith(var.oidc_issuer_url, "https://")
    error_message = "The oidc_issuer_url must be an https URL."
  }
}

variable "tags" {
  type        = map(string)
  description = "The tags applied to every resource (from the naming module)."
}
