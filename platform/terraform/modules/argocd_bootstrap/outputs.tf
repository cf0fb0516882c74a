output "root_application" {
  description = "The spec of the root Application (project, source and sync policy) that the bootstrap creates."
  value       = local.root_application
}

output "root_project" {
  description = "The spec of the bootstrap AppProject that the root Application belongs to."
  value       = local.root_project
}

output "argocd_chart_version" {
  description = "The pinned argo-cd chart version."
  value       = var.argocd_chart_version
}
