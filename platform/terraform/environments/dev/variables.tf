variable "subscription_id" {
  type        = string
  description = "The subscription the environment is deployed to."
}

variable "location" {
  type        = string
  description = "The Azure region of the environment."
}

variable "owner" {
  type        = string
  description = "The team accountable for the environment (owner tag)."
}

variable "cost_center" {
  type        = string
  description = "The cost center that pays for the environment (cost_center tag)."
}

variable "address_space" {
  type        = string
  description = "The virtual network's address space (a /20)."
}

variable "admin_group_object_ids" {
  type        = list(string)
  description = "The Entra ID groups of the platform operators."
}

variable "postgres_entra_admin" {
  type = object({
    object_id      = string
    principal_name = string
    principal_type = string
  })
  description = "The Entra ID principal that administers PostgreSQL."
}

variable "alert_emails" {
  type        = map(string)
  description = "The e-mail receivers of the alerts, keyed by a short receiver name."
}

variable "authorized_ip_ranges" {
  type        = list(string)
  default     = []
  description = "The CIDR ranges allowed to reach a public API server (ignored for a private cluster)."
}

variable "jumphost_admin_ssh_public_key" {
  type        = string
  description = "The OpenSSH public key of the jump host's break-glass administrator."
}

variable "dns_zone_name" {
  type        = string
  description = "The public DNS zone made by environments/shared; the hosts are <env>.<zone> and origin.<env>.<zone>."
}

variable "repo_url" {
  type        = string
  description = "The HTTPS URL of this repository for Argo CD."
}

variable "argocd_bootstrap_enabled" {
  type        = bool
  default     = true
  description = "Whether this run installs Argo CD (it needs network access to the API server)."
}

variable "argocd_sso_client_id" {
  type        = string
  description = "The client ID of the Entra ID app registration Argo CD signs users in with (made by hand: the azuread provider is not available to this project)."

  validation {
    condition     = can(regex("^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$", var.argocd_sso_client_id))
    error_message = "argocd_sso_client_id must be the GUID client ID of Argo CD's Entra ID app registration."
  }
}
