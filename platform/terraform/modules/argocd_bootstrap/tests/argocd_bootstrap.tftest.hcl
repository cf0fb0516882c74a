variables {
  cluster_name        = "aks-medqa-dev-weu"
  resource_group_name = "rg-medqa-dev-weu"
  cluster_id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-dev-weu/providers/Microsoft.ContainerService/managedClusters/aks-medqa-dev-weu"
  repo_url            = "https://git.example.org/medqa.git"
}

run "root_application_syncs_gitops_argocd_with_pinned_charts" {
  command = plan

  assert {
    condition     = output.root_application.source.path == "gitops/argocd" && output.root_application.source.repoURL == var.repo_url
    error_message = "The root Application must sync gitops/argocd from this repository."
  }
  assert {
    condition     = output.root_application.syncPolicy.automated.prune && output.root_application.syncPolicy.automated.selfHeal
    error_message = "The root Application must converge the cluster from Git automatically."
  }
  assert {
    condition     = output.root_application.project == "bootstrap" && output.root_project.sourceRepos == [var.repo_url]
    error_message = "The root Application must not use the default project."
  }
  assert {
    condition     = length(output.root_project.clusterResourceWhitelist) == 0
    error_message = "The bootstrap project may not create cluster-scoped resources."
  }
  assert {
    condition = toset([for r in output.root_project.namespaceResourceWhitelist : "${r.group}/${r.kind}"]) == toset([
      "argoproj.io/AppProject", "argoproj.io/Application", "argoproj.io/ApplicationSet", "/ConfigMap", "/Secret",
    ])
    error_message = "The bootstrap project must admit exactly what gitops/argocd/projects/bootstrap.yaml admits."
  }
  assert {
    condition     = startswith(terraform_data.this.input.argocd_chart_version, "9.") && terraform_data.this.triggers_replace.argocd_chart_version == var.argocd_chart_version
    error_message = "The argo-cd chart must be pinned to a 9.x version and re-run when it changes."
  }
}

run "floating_chart_version_is_rejected" {
  command = plan

  variables {
    argocd_chart_version = "latest"
  }

  expect_failures = [var.argocd_chart_version]
}

run "non_https_repository_is_rejected" {
  command = plan

  variables {
    repo_url = "git@example.org:medqa.git"
  }

  expect_failures = [var.repo_url]
}
