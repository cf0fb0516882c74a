mock_provider "azurerm" {}

variables {
  cluster_name           = "aks-medqa-dev-weu"
  resource_group_name    = "rg-medqa-dev-weu"
  cluster_id             = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-dev-weu/providers/Microsoft.ContainerService/managedClusters/aks-medqa-dev-weu"
  repo_url               = "https://git.example.org/medqa.git"
  environment            = "dev"
  key_vault_id           = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-dev-weu/providers/Microsoft.KeyVault/vaults/kvmedqadevweu"
  tenant_id              = "aaaaaaaa-0000-0000-0000-000000000000"
  sso_client_id          = "bbbbbbbb-0000-0000-0000-000000000000"
  admin_group_object_ids = ["11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"]
  oidc_issuer_url        = "https://westeurope.oic.prod-aks.azure.com/aaaaaaaa-0000-0000-0000-000000000000/cccccccc-0000-0000-0000-000000000000/"
  registration = {
    key_vault_url             = "https://kvmedqadevweu.vault.azure.net/"
    eso_client_id             = "e5000000-0000-0000-0000-000000000000"
    cert_manager_client_id    = "ce000000-0000-0000-0000-000000000000"
    kyverno_client_id         = "ca000000-0000-0000-0000-000000000000"
    dns_zone_resource_group   = "rg-medqa-shared-weu"
    dns_zone_subscription_id  = "00000000-0000-0000-0000-000000000000"
    ingress_ip_name           = "pip-medqa-dev-weu-ingress"
    ingress_ip_resource_group = "rg-medqa-dev-weu"
    front_door_backend_cidrs  = ["147.243.0.0/16", "13.73.248.16/29"]
  }
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
    condition     = startswith(terraform_data.this[0].input.argocd_chart_version, "9.") && terraform_data.this[0].triggers_replace.argocd_chart_version == var.argocd_chart_version
    error_message = "The argo-cd chart must be pinned to a 9.x version and re-run when it changes."
  }
}

run "argocd_signs_in_with_entra_id_through_workload_identity" {
  command = plan

  assert {
    condition     = yamldecode(output.argocd_values.configs.cm["oidc.config"]).issuer == "https://login.microsoftonline.com/aaaaaaaa-0000-0000-0000-000000000000/v2.0"
    error_message = "The OIDC issuer is the tenant's Entra ID v2.0 endpoint."
  }
  assert {
    condition     = yamldecode(output.argocd_values.configs.cm["oidc.config"]).clientID == var.sso_client_id && yamldecode(output.argocd_values.configs.cm["oidc.config"]).azure.useWorkloadIdentity
    error_message = "Argo CD must use the Entra app's client ID in Azure workload identity mode."
  }
  assert {
    condition     = !can(yamldecode(output.argocd_values.configs.cm["oidc.config"]).clientSecret)
    error_message = "No client secret: the ServiceAccount token is the client assertion."
  }
  assert {
    condition     = toset(yamldecode(output.argocd_values.configs.cm["oidc.config"]).requestedScopes) == toset(["openid", "profile", "email"]) && yamldecode(output.argocd_values.configs.cm["oidc.config"]).requestedIDTokenClaims.groups.essential
    error_message = "The ID token must carry the groups that the RBAC policy matches."
  }
  assert {
    condition     = output.argocd_values.server.serviceAccount.annotations["azure.workload.identity/client-id"] == var.sso_client_id && output.argocd_values.server.podLabels["azure.workload.identity/use"] == "true"
    error_message = "argocd-server's ServiceAccount and pods must be set up for workload identity."
  }
  assert {
    condition     = output.argocd_values.configs.cm.url == "https://localhost:8080" && contains(output.sso_redirect_uris, "https://localhost:8080/auth/callback")
    error_message = "SSO needs Argo CD's URL, and the redirect URI to register follows it."
  }
  assert {
    condition     = output.sso_federated_credential.subject == "system:serviceaccount:argocd:argocd-server" && output.sso_federated_credential.issuer == var.oidc_issuer_url
    error_message = "The federated credential must trust argocd-server's ServiceAccount token from this cluster."
  }
}

run "admins_come_from_entra_groups_and_everyone_else_reads" {
  command = plan

  assert {
    condition     = output.argocd_values.configs.rbac["policy.csv"] == "g, 11111111-1111-1111-1111-111111111111, role:admin\ng, 22222222-2222-2222-2222-222222222222, role:admin"
    error_message = "Each admin group object ID must map to role:admin."
  }
  assert {
    condition     = output.argocd_values.configs.rbac["policy.default"] == "role:readonly" && output.argocd_values.configs.rbac.scopes == "[groups]"
    error_message = "Signed-in users without an admin group are read-only; groups come from the token."
  }
  assert {
    condition     = !output.argocd_values.configs.cm["admin.enabled"] && !output.argocd_values.dex.enabled && !output.argocd_values.configs.cm["exec.enabled"]
    error_message = "The local admin, Dex and the web terminal stay off."
  }
  assert {
    condition     = !output.argocd_values.notifications.secret.create && !output.argocd_values.notifications.cm.create
    error_message = "Git and External Secrets Operator own the notifications ConfigMap and Secret, not the chart."
  }
}

run "cluster_registration_is_a_key_vault_secret_for_external_secrets" {
  command = plan

  assert {
    condition     = azurerm_key_vault_secret.cluster_registration.name == "argocd-cluster-registration" && azurerm_key_vault_secret.cluster_registration.key_vault_id == var.key_vault_id
    error_message = "The registration is the argocd-cluster-registration secret of the environment's Key Vault."
  }
  assert {
    condition = jsondecode(azurerm_key_vault_secret.cluster_registration.value) == {
      environment               = "dev"
      overlay                   = "dev"
      key_vault_url             = "https://kvmedqadevweu.vault.azure.net/"
      eso_client_id             = "e5000000-0000-0000-0000-000000000000"
      cert_manager_client_id    = "ce000000-0000-0000-0000-000000000000"
      kyverno_client_id         = "ca000000-0000-0000-0000-000000000000"
      dns_zone_resource_group   = "rg-medqa-shared-weu"
      dns_zone_subscription_id  = "00000000-0000-0000-0000-000000000000"
      ingress_ip_name           = "pip-medqa-dev-weu-ingress"
      ingress_ip_resource_group = "rg-medqa-dev-weu"
      front_door_backend_cidrs  = "147.243.0.0/16,13.73.248.16/29"
    }
    error_message = "The secret holds exactly the keys gitops/argocd/secrets/cluster-registration.yaml reads, each a string (the ranges comma-separated)."
  }
  assert {
    condition     = azurerm_key_vault_secret.cluster_registration.content_type == "application/json"
    error_message = "The secret says it is JSON."
  }
}

run "first_boot_seeds_the_registration_secret_the_external_secret_makes" {
  command = plan

  assert {
    condition     = output.cluster_registration_manifest.metadata.name == "cluster-registration" && output.cluster_registration_manifest.metadata.namespace == "argocd" && output.cluster_registration_manifest.kind == "Secret"
    error_message = "The seed is the Secret cluster-registration in the Argo CD namespace, the ExternalSecret's target."
  }
  assert {
    condition = output.cluster_registration_manifest.metadata.labels == {
      "argocd.argoproj.io/secret-type" = "cluster"
      "medqa.io/environment"           = "dev"
      "medqa.io/overlay"               = "dev"
      "medqa.io/cluster"               = "dev"
    }
    error_message = "The seed carries the labels of the ExternalSecret template: an Argo CD cluster the ApplicationSets select."
  }
  assert {
    condition     = output.cluster_registration_manifest.metadata.annotations["medqa.io/kyverno-client-id"] == var.registration.kyverno_client_id && output.cluster_registration_manifest.metadata.annotations["medqa.io/front-door-backend-cidrs"] == "147.243.0.0/16,13.73.248.16/29"
    error_message = "The seed's annotations are the registration's add-on values."
  }
  assert {
    condition     = length(output.cluster_registration_manifest.metadata.annotations) == 9 && !contains(keys(output.cluster_registration_manifest.metadata.annotations), "medqa.io/environment")
    error_message = "Every add-on value and nothing else is an annotation (environment and overlay are labels)."
  }
  assert {
    condition     = output.cluster_registration_manifest.stringData.name == "dev" && output.cluster_registration_manifest.stringData.server == "https://kubernetes.default.svc"
    error_message = "The seed registers the in-cluster destination under the environment's name."
  }
}

run "registration_is_written_when_another_machine_installs" {
  command = plan

  variables {
    install = false
    overlay = "dev-canary"
  }

  assert {
    condition     = length(terraform_data.this) == 0 && !output.installed
    error_message = "install = false must skip the helm install."
  }
  assert {
    condition     = jsondecode(azurerm_key_vault_secret.cluster_registration.value).overlay == "dev-canary"
    error_message = "The registration is written either way, with the overlay given."
  }
}

run "missing_sso_client_id_is_rejected" {
  command = plan

  variables {
    sso_client_id = null
  }

  expect_failures = [var.sso_client_id]
}

run "admin_group_must_be_an_object_id" {
  command = plan

  variables {
    admin_group_object_ids = ["medqa-platform-admins"]
  }

  expect_failures = [var.admin_group_object_ids]
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

run "non_cidr_front_door_range_is_rejected" {
  command = plan

  variables {
    registration = {
      key_vault_url             = "https://kvmedqadevweu.vault.azure.net/"
      eso_client_id             = "e5000000-0000-0000-0000-000000000000"
      cert_manager_client_id    = "ce000000-0000-0000-0000-000000000000"
      kyverno_client_id         = "ca000000-0000-0000-0000-000000000000"
      dns_zone_resource_group   = "rg-medqa-shared-weu"
      dns_zone_subscription_id  = "00000000-0000-0000-0000-000000000000"
      ingress_ip_name           = "pip-medqa-dev-weu-ingress"
      ingress_ip_resource_group = "rg-medqa-dev-weu"
      front_door_backend_cidrs  = ["AzureFrontDoor.Backend"]
    }
  }

  expect_failures = [var.registration]
}
