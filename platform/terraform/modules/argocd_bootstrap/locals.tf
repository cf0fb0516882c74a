locals {
  argocd_values = {
    global = { logging = { format = "json" } }
    # Dex is not used: people log in through the Argo CD CLI/UI behind port-forward with Entra ID SSO set in Git.
    dex = { enabled = false }
    configs = {
      params = { "server.insecure" = false }
      cm     = { "admin.enabled" = false, "exec.enabled" = false }
    }
    controller     = { replicas = 1 }
    server         = { replicas = var.ha_enabled ? 2 : 1 }
    repoServer     = { replicas = var.ha_enabled ? 2 : 1 }
    applicationSet = { replicas = var.ha_enabled ? 2 : 1 }
    redis-ha       = { enabled = var.ha_enabled }
    redis          = { enabled = !var.ha_enabled }
    # Git owns argocd-notifications-cm (gitops/argocd/notifications/); the chart must not create it too.
    notifications = { cm = { create = false } }
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
