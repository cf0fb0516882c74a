module "naming" {
  source = "../naming"

  environment = var.environment
  location    = var.location
  owner       = var.owner
  cost_center = var.cost_center
  expires_on  = var.expires_on
}

resource "azurerm_resource_group" "this" {
  name     = local.names.resource_group
  location = var.location
  tags     = local.tags
}

module "monitoring" {
  source = "../monitoring"

  log_analytics_name     = local.names.log_analytics_workspace
  monitor_workspace_name = local.names.monitor_workspace
  action_group_name      = local.names.action_group
  resource_group_name    = azurerm_resource_group.this.name
  location               = var.location
  log_retention_days     = var.monitoring.log_retention_days
  daily_quota_gb         = var.monitoring.daily_quota_gb
  alert_emails           = var.alert_emails
  postgres_server_id     = module.postgres.id
  aks_cluster_id         = module.aks.id
  tags                   = local.tags

  # Alert and recording rules come from the files promtool tests; alerts reach the action group.
  aks_cluster_name     = module.aks.name
  prometheus_rules_dir = "${path.module}/../../../../observability/prometheus/rules"
  runbook_base_url     = "${trimsuffix(var.repo_url, ".git")}/blob/${var.argocd.target_revision}"
  alert_webhook_url    = var.alert_webhook_url

  # Dashboards: operators administer Grafana, the jump host identity (Ansible) pushes dashboards.
  grafana_name                          = local.names.managed_grafana
  grafana_public_network_access_enabled = var.monitoring.grafana_public_network_access_enabled
  grafana_admin_principal_ids           = { for i, id in var.admin_group_object_ids : "admins-${i}" => id }
  grafana_editor_principal_ids          = { jumphost = module.jumphost.principal_id }
}

module "network" {
  source = "../network"

  name                = local.names.virtual_network
  nsg_name_prefix     = local.names.network_security_group
  resource_group_name = azurerm_resource_group.this.name
  location            = var.location
  address_space       = var.address_space
  tags                = local.tags
}

module "aks" {
  source = "../aks"

  name                       = local.names.kubernetes_cluster
  resource_group_name        = azurerm_resource_group.this.name
  location                   = var.location
  sku_tier                   = var.aks.sku_tier
  tenant_id                  = var.tenant_id
  admin_group_object_ids     = var.admin_group_object_ids
  node_subnet_id             = module.network.subnet_ids["aks"]
  private_cluster_enabled    = var.aks.private_cluster_enabled
  authorized_ip_ranges       = var.aks.authorized_ip_ranges
  system_pool                = { for k, v in var.aks.system_pool : k => v if v != null }
  user_pool                  = { for k, v in var.aks.user_pool : k => v if v != null }
  log_analytics_workspace_id = module.monitoring.log_analytics_workspace_id
  monitor_workspace_id       = module.monitoring.monitor_workspace_id
  ingress_public_ip_name     = local.ingress_ip_name
  tags                       = local.tags
}

# No registry of its own: the kubelet pulls from the shared one (environments/shared).
module "acr" {
  source = "../registry_access"

  environment                = var.environment
  registry_id                = data.azurerm_container_registry.shared.id
  registry_name              = data.azurerm_container_registry.shared.name
  resource_group_name        = azurerm_resource_group.this.name
  location                   = var.location
  kubelet_identity_object_id = module.aks.kubelet_identity_object_id
  private_endpoint_enabled   = var.acr.private_endpoint_enabled
  private_endpoint_subnet_id = module.network.subnet_ids["private_endpoints"]
  private_dns_zone_id        = module.network.private_dns_zone_ids["privatelink.azurecr.io"]
  tags                       = local.tags
}

module "identity" {
  source = "../identity"

  identities          = local.identities
  resource_group_name = azurerm_resource_group.this.name
  location            = var.location
  oidc_issuer_url     = module.aks.oidc_issuer_url
  tags                = local.tags
}

module "keyvault" {
  source = "../keyvault"

  name                       = local.names.key_vault
  resource_group_name        = azurerm_resource_group.this.name
  location                   = var.location
  tenant_id                  = var.tenant_id
  private_endpoint_subnet_id = module.network.subnet_ids["private_endpoints"]
  private_dns_zone_id        = module.network.private_dns_zone_ids["privatelink.vaultcore.azure.net"]
  secrets_user_principal_ids = {
    app = module.identity.identities["app"].principal_id
    eso = module.identity.identities["eso"].principal_id
  }
  secrets_officer_principal_ids = merge(
    { deployer = var.deployer_object_id },
    { for i, id in var.admin_group_object_ids : "admins-${i}" => id },
  )
  log_analytics_workspace_id = module.monitoring.log_analytics_workspace_id
  tags                       = local.tags
}

module "postgres" {
  source = "../postgres"

  name                  = local.names.postgresql_flexible_server
  resource_group_name   = azurerm_resource_group.this.name
  location              = var.location
  vnet_id               = module.network.vnet_id
  delegated_subnet_id   = module.network.subnet_ids["postgres"]
  sku_name              = var.postgres.sku_name
  storage_mb            = var.postgres.storage_mb
  high_availability     = var.postgres.high_availability
  geo_redundant_backup  = var.postgres.geo_redundant_backup
  backup_retention_days = var.postgres.backup_retention_days
  tenant_id             = var.tenant_id
  entra_admin           = var.postgres.entra_admin
  # Only the migration Job's identity administers the server (MIGRATE_POSTGRES_USER); it creates the
  # service's role (POSTGRES_USER, an ordinary Entra principal) and grants it DML on the app's tables.
  service_principal_admins = {
    migrate = {
      object_id      = module.identity.identities["migrate"].principal_id
      principal_name = local.identities.migrate.name
    }
  }
  tags = local.tags
}

module "edge" {
  source = "../edge"

  profile_name                 = local.names.front_door_profile
  waf_policy_name              = local.names.waf_policy
  resource_group_name          = azurerm_resource_group.this.name
  host_label                   = var.environment
  dns_zone_name                = data.azurerm_dns_zone.shared.name
  dns_zone_id                  = data.azurerm_dns_zone.shared.id
  dns_zone_resource_group_name = local.shared_names.resource_group
  ingress_ip_id                = module.aks.ingress_ip.id
  tags                         = local.tags
}

module "jumphost" {
  source = "../jumphost"

  name                 = local.names.virtual_machine
  bastion_name         = local.names.bastion_host
  public_ip_name       = "${local.names.public_ip}-bastion"
  resource_group_name  = azurerm_resource_group.this.name
  location             = var.location
  subnet_id            = module.network.subnet_ids["jumphost"]
  bastion_subnet_id    = module.network.subnet_ids["bastion"]
  admin_ssh_public_key = var.jumphost_admin_ssh_public_key
  login_principal_ids  = { for i, id in var.admin_group_object_ids : "admins-${i}" => id }
  tags                 = local.tags

  # Outbound path for cloud-init and package mirrors, and the facts the Ansible inventories read.
  nat_gateway_name    = local.names.nat_gateway
  nat_public_ip_name  = "${local.names.public_ip}-nat"
  bastion_subnet_cidr = module.network.subnet_prefixes["bastion"]
  key_vault_name      = local.names.key_vault
}

module "argocd_bootstrap" {
  source = "../argocd_bootstrap"

  cluster_name        = module.aks.name
  resource_group_name = azurerm_resource_group.this.name
  cluster_id          = module.aks.id
  repo_url            = var.repo_url
  target_revision     = var.argocd.target_revision
  ha_enabled          = var.argocd.ha_enabled

  # The helm install needs the API server; the cluster registration (Key Vault) is written always.
  install                = var.argocd.enabled
  environment            = var.environment
  key_vault_id           = module.keyvault.id
  tenant_id              = var.tenant_id
  sso_client_id          = var.argocd.sso_client_id
  admin_group_object_ids = var.admin_group_object_ids
  oidc_issuer_url        = module.aks.oidc_issuer_url
  tags                   = local.tags

  # The per-cluster add-on values gitops/argocd reads from the registration's annotations.
  registration = {
    key_vault_url             = module.keyvault.derived_vault_url
    eso_client_id             = module.identity.identities["eso"].client_id
    cert_manager_client_id    = module.identity.identities["cert_manager"].client_id
    kyverno_client_id         = module.identity.identities["kyverno"].client_id
    dns_zone_resource_group   = local.shared_names.resource_group
    dns_zone_subscription_id  = local.dns_zone_subscription_id
    ingress_ip_name           = module.aks.ingress_ip.name
    ingress_ip_resource_group = module.aks.ingress_ip.resource_group_name
    front_door_backend_cidrs  = data.azurerm_network_service_tags.front_door_backend.ipv4_cidrs
  }

  # Argo CD pulls images and needs the nodes and the user pool to exist; the registration secret
  # needs the deployer's Key Vault role and the private endpoint.
  depends_on = [module.aks, module.acr, module.keyvault]
}

moved {
  from = module.argocd_bootstrap[0]
  to   = module.argocd_bootstrap
}
