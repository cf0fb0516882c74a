# staging: the promotion gate before prod, so the same topology and access path as prod (private
# API server reached from the jump host, SLA tier, registry through a private endpoint) at a
# smaller size: no database HA or geo backups, smaller pools, single-replica Argo CD.
module "platform" {
  source = "../../modules/platform"

  environment                   = "staging"
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
    sku_tier                = "Standard"
    private_cluster_enabled = true
    system_pool             = { vm_size = "Standard_D2ds_v5", min_count = 2, max_count = 3, os_disk_size_gb = 64 }
    user_pool               = { vm_size = "Standard_D4ds_v5", min_count = 2, max_count = 4 }
  }

  postgres = {
    sku_name              = "GP_Standard_D2ds_v5"
    storage_mb            = 65536
    backup_retention_days = 14
    entra_admin           = var.postgres_entra_admin
  }

  # Pulls from the shared registry through a private endpoint in the staging VNet, like prod.
  acr = {
    private_endpoint_enabled = true
  }

  monitoring = {
    log_retention_days = 30
  }

  argocd = {
    enabled       = var.argocd_bootstrap_enabled
    sso_client_id = var.argocd_sso_client_id
  }
}
