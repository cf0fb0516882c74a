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

output "installed" {
  description = "Whether this run installs Argo CD with helm (install = true)."
  value       = length(terraform_data.this) == 1
}

output "argocd_values" {
  description = "The argo-cd chart values the bootstrap passes to helm (SSO, RBAC, workload identity; admin and Dex off)."
  value       = local.argocd_values
}

output "cluster_registration_secret_name" {
  description = "The Key Vault secret External Secrets Operator templates into the Argo CD cluster Secret."
  value       = azurerm_key_vault_secret.cluster_registration.name
}

output "cluster_registration" {
  description = "The JSON object of that secret: environment and overlay (labels) and the per-cluster add-on values (annotations)."
  value       = local.cluster_registration
}

output "cluster_registration_manifest" {
  description = "The Argo CD cluster Secret cluster-registration that bootstrap.sh creates once when it is absent."
  value       = local.cluster_registration_manifest
}

output "sso_redirect_uris" {
  description = "The redirect URIs to register on the Entra ID app: the web UI (Web platform) and the argocd CLI (Mobile and desktop)."
  value       = ["${var.url}/auth/callback", "http://localhost:8085/auth/callback"]
}

output "sso_federated_credential" {
  description = "The federated credential to add to the Entra ID app so argocd-server's ServiceAccount token authenticates it (az ad app federated-credential create)."
  value = {
    name      = "argocd-server-${var.environment}"
    issuer    = var.oidc_issuer_url
    subject   = "system:serviceaccount:${var.namespace}:argocd-server"
    audiences = ["api://AzureADTokenExchange"]
  }
}
