# Installs Argo CD and the root Application with the pinned helm CLI and seeds the cluster
# registration once; every other object comes from Git. Runs once per cluster and again only
# when a pin or a value changes; from then on Argo CD converges the cluster from Git.
resource "terraform_data" "this" {
  count = var.install ? 1 : 0

  triggers_replace = {
    cluster_id                = var.cluster_id
    argocd_chart_version      = var.argocd_chart_version
    argocd_apps_chart_version = var.argocd_apps_chart_version
    argocd_values             = sha256(jsonencode(local.argocd_values))
    apps_values               = sha256(jsonencode(local.apps_values))
  }

  input = {
    argocd_chart_version      = var.argocd_chart_version
    argocd_apps_chart_version = var.argocd_apps_chart_version
    root_application          = local.root_application
    root_project              = local.root_project
  }

  provisioner "local-exec" {
    command     = "${path.module}/bootstrap.sh"
    interpreter = ["bash"]
    environment = {
      CLUSTER_NAME              = var.cluster_name
      RESOURCE_GROUP            = var.resource_group_name
      NAMESPACE                 = var.namespace
      CHART_REPOSITORY          = var.chart_repository
      ARGOCD_CHART_VERSION      = var.argocd_chart_version
      ARGOCD_APPS_CHART_VERSION = var.argocd_apps_chart_version
      # JSON is valid YAML: helm reads these as values files.
      ARGOCD_VALUES = jsonencode(local.argocd_values)
      APPS_VALUES   = jsonencode(local.apps_values)
      # Created only when absent: after the first boot External Secrets Operator owns its content.
      REGISTRATION_MANIFEST = jsonencode(local.cluster_registration_manifest)
    }
  }
}

moved {
  from = terraform_data.this
  to   = terraform_data.this[0]
}

# The in-cluster registration is data, not a hand-applied Secret: External Secrets Operator reads this
# Key Vault secret (ClusterSecretStore platform-keyvault) and templates the Argo CD cluster Secret whose
# labels the ApplicationSet selects. It is written even when another machine runs the helm install.
resource "azurerm_key_vault_secret" "cluster_registration" {
  #checkov:skip=CKV_AZURE_41:Not a credential but the cluster's environment labels; an expiry would unregister the cluster.
  name         = local.cluster_registration_secret_name
  key_vault_id = var.key_vault_id
  value        = jsonencode(local.cluster_registration)
  content_type = "application/json"
  tags         = var.tags
}
