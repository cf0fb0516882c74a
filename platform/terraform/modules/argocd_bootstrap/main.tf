# Installs Argo CD and the root Application with the pinned helm CLI. Runs once per cluster and
# again only when a pin or a value changes; from then on Argo CD converges the cluster from Git.
resource "terraform_data" "this" {
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
    }
  }
}
