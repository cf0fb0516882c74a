locals {
  names        = module.naming.names
  tags         = module.naming.tags
  shared_names = module.shared_naming.names

  ingress_ip_name  = "${local.names.public_ip}-ingress"
  acr_login_server = "${local.shared_names.container_registry}.azurecr.io"
  # cert-manager's azureDNS solver names the zone's subscription (the shared root's).
  dns_zone_subscription_id = regex("^/subscriptions/([^/]+)/", data.azurerm_dns_zone.shared.id)[0]

  # The workload identities and the service accounts they trust (docs/platform-contract.md).
  namespace       = "medqa"
  service_account = "medqa"
  # The migration Job's account: its identity is the PostgreSQL Entra administrator; the service's is not.
  migrate_service_account = "medqa-migrate"
  identities = {
    app          = { name = local.names.user_assigned_identity, namespace = local.namespace, service_accounts = [local.service_account] }
    migrate      = { name = "${local.names.user_assigned_identity}-migrate", namespace = local.namespace, service_accounts = [local.migrate_service_account] }
    eso          = { name = "${local.names.user_assigned_identity}-eso", namespace = "external-secrets", service_accounts = ["external-secrets"] }
    cert_manager = { name = "${local.names.user_assigned_identity}-cert-manager", namespace = "cert-manager", service_accounts = ["cert-manager"] }
    argocd       = { name = "${local.names.user_assigned_identity}-argocd", namespace = "argocd", service_accounts = ["argocd-application-controller", "argocd-server"] }
    # Kyverno's admission controller fetches cosign signatures from the registry (AcrPull, main.shared.tf).
    kyverno = { name = "${local.names.user_assigned_identity}-kyverno", namespace = "kyverno", service_accounts = ["kyverno-admission-controller"] }
  }

  # overlays/<env>/platform.env, key for key (docs/platform-contract.md, "The wiring keys").
  # Everything but the four apply-time IDs is derived from names and inputs, so a plan with mock
  # providers gives the real values; the modules' postconditions check each derivation at apply.
  gitops_wiring = {
    ENVIRONMENT                 = var.environment
    NAMESPACE                   = local.namespace
    SERVICE_ACCOUNT             = local.service_account
    WORKLOAD_IDENTITY_CLIENT_ID = module.identity.identities["app"].client_id
    TENANT_ID                   = var.tenant_id
    KEY_VAULT_URL               = module.keyvault.derived_vault_url
    GEMINI_SECRET_NAME          = one([for s in module.keyvault.secret_names : s if s == "gemini-api-key"])
    POSTGRES_HOST               = module.postgres.derived_fqdn
    POSTGRES_DATABASE           = module.postgres.database_name
    POSTGRES_USER               = local.identities.app.name
    POSTGRES_SUBNET_CIDR        = module.network.subnet_prefixes["postgres"]
    POD_CIDR                    = module.aks.pod_cidr
    ACR_LOGIN_SERVER            = local.acr_login_server
    PUBLIC_HOST                 = module.edge.public_host
    ORIGIN_HOST                 = module.edge.origin_host
    INGRESS_CLASS               = "nginx"
    TLS_SECRET                  = "medqa-tls"
    FRONT_DOOR_ID               = module.edge.frontdoor_id
    # The migration Job logs in as the Entra administrator and grants POSTGRES_USER its table privileges.
    MIGRATE_SERVICE_ACCOUNT             = local.migrate_service_account
    MIGRATE_WORKLOAD_IDENTITY_CLIENT_ID = module.identity.identities["migrate"].client_id
    MIGRATE_POSTGRES_USER               = local.identities.migrate.name
  }
}
