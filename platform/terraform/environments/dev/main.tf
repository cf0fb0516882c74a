# dev: cheap and reachable. Public API server limited to authorized ranges, burstable database
# without HA, pulls from the shared registry without a private endpoint, small node pools.
module "platform" {
  source = "../../modules/platform"

  environment                   = "dev"
  location                      = var.location
  owner                         = var.owner
  cost_center                   = var.cost_center
  tenant_id                     = data.azurerm_client_config.current.tenant_id
  deployer_object_id            = data.azurerm_client_config.current.object_id
  address_space                 = var.address_space
  admin_group_object_ids        = var.admin_group_object_ids
  alert_emails                  = var.alert_emails
  jumphost_admin_ssh_public_key = var.jumphost_admin_ssh_public_key
  dns_zone_name                 = var.dns_zone_name
  repo_url                      = var.repo_url

  aks = {
    sku_tier                = "Free"
    private_cluster_enabled = false
    authorized_ip_ranges    = var.authorized_ip_ranges
    system_pool             = { vm_size = "Standard_D2ds_v5", min_count = 1, max_count = 2, os_disk_size_gb = 64 }
    user_pool               = { vm_size = "Standard_D2ds_v5", min_count = 1, max_count = 3, os_disk_size_gb = 64 }
  }

  postgres = {
    sku_name    = "B_Standard_B1ms"
    entra_admin = var.postgres_entra_admin
  }

  # The shared registry over its public endpoint (Entra auth): no private endpoint, for cost.
  acr = {
    private_endpoint_enabled = false
  }

  monitoring = {
    log_retention_days = 30
    daily_quota_gb     = 2
  }

  argocd = {
    enabled       = var.argocd_bootstrap_enabled
    sso_client_id = var.argocd_sso_client_id
  }
}
