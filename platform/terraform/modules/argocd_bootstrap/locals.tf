locals {
  # Entra ID SSO straight from argocd-server (no Dex): Argo CD's Azure workload identity mode presents
  # the server's projected ServiceAccount token as the client assertion of the Entra app registration,
  # so no client secret exists. The app needs a federated credential for that ServiceAccount
  # (output sso_federated_credential), made out of band since the azuread provider is not obtainable.
  oidc_config = {
    name     = "Entra ID"
    issuer   = "https://login.microsoftonline.com/${var.tenant_id}/v2.0"
    clientID = var.sso_client_id
    azure    = { useWorkloadIdentity = true }
    # Group object IDs in the ID token are what policy.csv matches.
    requestedIDTokenClaims = { groups = { essential = true } }
    requestedScopes        = ["openid", "profile", "email"]
  }

  rbac = {
    # Everyone who signs in may look; only the admin groups may change anything.
    "policy.default" = "role:readonly"
    "policy.csv"     = join("\n", [for id in var.admin_group_object_ids : "g, ${id}, role:admin"])
    scopes           = "[groups]"
  }

  argocd_values = {
    global = { logging = { format = "json" } }
    # Dex is not used: argocd-server talks OIDC to Entra ID itself.
    dex = { enabled = false }
    configs = {
      params = { "server.insecure" = false }
      cm = {
        "admin.enabled" = false
        "exec.enabled"  = false
        url             = var.url
        "oidc.config"   = yamlencode(local.oidc_config)
      }
      rbac = local.rbac
    }
    controller = { replicas = 1 }
    server = {
      replicas = var.ha_enabled ? 2 : 1
      # The workload identity webhook mounts the token only into pods with this label.
      podLabels = { "azure.workload.identity/use" = "true" }
      serviceAccount = {
        annotations = {
          "azure.workload.identity/client-id" = var.sso_client_id
          "azure.workload.identity/tenant-id" = var.tenant_id
        }
      }
    }
    repoServer     = { replicas = var.ha_enabled ? 2 : 1 }
    applicationSet = { replicas = var.ha_enabled ? 2 : 1 }
    redis-ha       = { enabled = var.ha_enabled }
    redis          = { enabled = !var.ha_enabled }
    # Git owns argocd-notifications-cm (gitops/argocd/notifications/) and External Secrets Operator
    # owns argocd-notifications-secret (from Key Vault): the chart must create neither.
    notifications = { cm = { create = false }, secret = { create = false } }
  }

  # What External Secrets Operator templates into this cluster's Argo CD registration Secret: the
  # labels (environment, overlay) and the per-cluster add-on values (annotations medqa.io/<key with
  # dashes>), exactly the keys gitops/argocd/secrets/cluster-registration.yaml reads. Every value is
  # a string because the template pastes it into annotations.
  cluster_registration_secret_name = "argocd-cluster-registration"
  cluster_registration = merge(
    {
      environment = var.environment
      overlay     = coalesce(var.overlay, var.environment)
    },
    var.registration,
    { front_door_backend_cidrs = join(",", var.registration.front_door_backend_cidrs) },
  )

  # The same Secret the ExternalSecret template makes, for the first boot only: the operator that
  # would write it is itself configured from it (bootstrap.sh creates it when absent, then the
  # ExternalSecret, creationPolicy Orphan, takes it over and keeps it equal to Key Vault).
  cluster_registration_manifest = {
    apiVersion = "v1"
    kind       = "Secret"
    type       = "Opaque"
    metadata = {
      name      = "cluster-registration"
      namespace = var.namespace
      labels = {
        "argocd.argoproj.io/secret-type" = "cluster"
        "medqa.io/environment"           = local.cluster_registration.environment
        "medqa.io/overlay"               = local.cluster_registration.overlay
        "medqa.io/cluster"               = local.cluster_registration.environment
      }
      annotations = {
        for k, v in local.cluster_registration : "medqa.io/${replace(k, "_", "-")}" => v
        if !contains(["environment", "overlay"], k)
      }
    }
    stringData = {
      name   = local.cluster_registration.environment
      server = "https://kubernetes.default.svc"
      config = "{\"tlsClientConfig\": {\"insecure\": false}}"
    }
  }

  # The root Application lives in its own project, which may only create Argo CD objects (and the
  # notifications ConfigMap and cluster-registration Secrets) in the Argo CD namespace from this
  # repository; it must match gitops/argocd/projects/bootstrap.yaml, which takes over after the first sync.
  root_project = {
    namespace                = var.namespace
    description              = "Bootstrap: the root Application that syncs the rest of the Argo CD tree."
    sourceRepos              = [var.repo_url]
    destinations             = [{ server = "https://kubernetes.default.svc", namespace = var.namespace }]
    clusterResourceWhitelist = []
    namespaceResourceWhitelist = concat(
      [for k in ["AppProject", "Application", "ApplicationSet"] : { group = "argoproj.io", kind = k }],
      [for k in ["ConfigMap", "Secret"] : { group = "", kind = k }],
    )
  }

  root_application = {
    namespace  = var.namespace
    project    = "bootstrap"
    finalizers = ["resources-finalizer.argocd.argoproj.io/foreground"]
    source = {
      repoURL        = var.repo_url
      targetRevision = var.target_revision
      path           = var.root_path
      directory      = { recurse = true }
    }
    destination = { server = "https://kubernetes.default.svc", namespace = var.namespace }
    syncPolicy = {
      # prune: objects removed from Git go away; selfHeal: manual drift is reverted.
      automated   = { prune = true, selfHeal = true }
      syncOptions = ["ServerSideApply=true"]
    }
  }

  apps_values = {
    projects     = { bootstrap = local.root_project }
    applications = { root = local.root_application }
  }
}
