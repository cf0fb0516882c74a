variable "cluster_name" {
  type        = string
  description = "The name of the AKS cluster Argo CD is installed into."
}

variable "resource_group_name" {
  type        = string
  description = "The resource group of the AKS cluster."
}

variable "cluster_id" {
  type        = string
  description = "The resource ID of the AKS cluster; a new cluster (new ID) re-runs the bootstrap."
}

variable "repo_url" {
  type        = string
  description = "The HTTPS URL of this repository, which the root Application syncs from."

  validation {
    condition     = can(regex("^https://", var.repo_url))
    error_message = "The repo_url must be an https URL."
  }
}

variable "target_revision" {
  type        = string
  default     = "main"
  description = "The Git revision (branch, tag or commit) the root Application follows."
}

variable "root_path" {
  type        = string
  default     = "gitops/argocd"
  description = "The folder of the repository holding the root of the Argo CD tree (projects, ApplicationSets, add-ons)."
}

variable "namespace" {
  type        = string
  default     = "argocd"
  description = "The namespace Argo CD runs in."
}

variable "chart_repository" {
  type        = string
  default     = "https://argoproj.github.io/argo-helm"
  description = "The Helm repository of the argo-cd and argocd-apps charts."
}

variable "argocd_chart_version" {
  type        = string
  default     = "9.5.4"
  description = "The pinned version of the argo-cd Helm chart."

  validation {
    condition     = can(regex("^9\\.[0-9]+\\.[0-9]+$", var.argocd_chart_version))
    error_message = "The argocd_chart_version must be an exact 9.x.y version."
  }
}

variable "argocd_apps_chart_version" {
  type        = string
  default     = "2.0.2"
  description = "The pinned version of the argocd-apps Helm chart that creates the root Application."

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.argocd_apps_chart_version))
    error_message = "The argocd_apps_chart_version must be an exact x.y.z version."
  }
}

variable "ha_enabled" {
  type        = bool
  default     = false
  description = "Whether to run the Argo CD controllers with several replicas (prod)."
}

variable "install" {
  type        = bool
  default     = true
  description = "Whether this run installs Argo CD with helm (it needs network access to the API server); the Key Vault registration is written either way."
}

variable "environment" {
  type        = string
  description = "The environment of this cluster: the medqa.io/environment label the ApplicationSet selects (dev, staging, prod)."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.environment))
    error_message = "The environment must be a short lower-case name such as dev, staging or prod."
  }
}

variable "overlay" {
  type        = string
  default     = null
  description = "The gitops/kustomize/overlays/<overlay> folder this cluster deploys (medqa.io/overlay); null means the environment name."

  validation {
    condition     = var.overlay == null || can(regex("^[a-z][a-z0-9-]{1,62}$", var.overlay))
    error_message = "The overlay must be a lower-case folder name of gitops/kustomize/overlays."
  }
}

variable "key_vault_id" {
  type        = string
  description = "The environment's Key Vault, where the argocd-cluster-registration secret is written for External Secrets Operator."
}

variable "tenant_id" {
  type        = string
  description = "The Entra ID tenant that issues the Argo CD SSO tokens."

  validation {
    condition     = can(regex("^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$", var.tenant_id))
    error_message = "The tenant_id must be a GUID."
  }
}

variable "sso_client_id" {
  type        = string
  description = "The client ID of the Entra ID app registration Argo CD signs users in with (made out of band: no azuread provider here)."

  validation {
    condition     = var.sso_client_id != null && can(regex("^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$", var.sso_client_id))
    error_message = "The sso_client_id must be the GUID client ID of Argo CD's Entra ID app registration (argocd.sso_client_id)."
  }
}

variable "admin_group_object_ids" {
  type        = list(string)
  description = "The Entra ID groups whose members get role:admin in Argo CD; everyone else who signs in is read-only."

  validation {
    condition     = length(var.admin_group_object_ids) > 0 && alltrue([for id in var.admin_group_object_ids : can(regex("^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$", id))])
    error_message = "Give at least one admin group, as Entra ID object IDs (GUIDs)."
  }
}

variable "url" {
  type        = string
  default     = "https://localhost:8080"
  description = "The URL people open Argo CD at (default: kubectl port-forward); the SSO redirect URI is <url>/auth/callback."

  validation {
    condition     = can(regex("^https://[^/]+$", var.url))
    error_message = "The url must be an https origin without a path, such as https://localhost:8080."
  }
}

variable "oidc_issuer_url" {
  type        = string
  description = "The AKS OIDC issuer URL that signs argocd-server's ServiceAccount token (the federated credential's issuer)."
}

variable "tags" {
  type        = map(string)
  default     = {}
  description = "The tags applied to the Key Vault secret (from the naming module)."
}

variable "registration" {
  type = object({
    key_vault_url             = string
    eso_client_id             = string
    cert_manager_client_id    = string
    kyverno_client_id         = string
    dns_zone_resource_group   = string
    dns_zone_subscription_id  = string
    ingress_ip_name           = string
    ingress_ip_resource_group = string
    front_door_backend_cidrs  = list(string)
  })
  description = "The per-cluster add-on values of the registration (Key Vault URL, operator client IDs, the shared zone, the ingress IP, the AzureFrontDoor.Backend ranges), which gitops/argocd reads as annotations."

  validation {
    condition     = can(regex("^https://[a-z0-9-]+\\.vault\\.azure\\.net/$", var.registration.key_vault_url))
    error_message = "The registration key_vault_url must be a vault URL such as https://kvmedqadevweu.vault.azure.net/."
  }
  validation {
    condition     = alltrue([for c in var.registration.front_door_backend_cidrs : can(cidrhost(c, 0))])
    error_message = "The registration front_door_backend_cidrs must be CIDR ranges (the AzureFrontDoor.Backend service tag)."
  }
}
