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
