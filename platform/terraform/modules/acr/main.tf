resource "azurerm_container_registry" "this" {
  # Premium-only settings follow the SKU: prod (Premium, private endpoint) has zone redundancy, data
  # endpoints and no public access, asserted by tests/acr.tftest.hcl; dev stays Standard for cost.
  #checkov:skip=CKV_AZURE_233:Zone redundancy needs Premium; on whenever sku is Premium (prod), tested.
  #checkov:skip=CKV_AZURE_237:Dedicated data endpoints need Premium; on whenever sku is Premium (prod), tested.
  #checkov:skip=CKV_AZURE_139:Public access is off whenever private_endpoint_enabled (prod), tested; dev pulls over the internet with Entra auth only.
  #checkov:skip=CKV_AZURE_164:Docker Content Trust was retired by Azure and removed from azurerm 5.x; image provenance is checked in CI.
  #checkov:skip=CKV_AZURE_165:Single-region service: geo-replication would add cost without a second cluster to serve.
  #checkov:skip=CKV_AZURE_166:Quarantine needs a scanner that releases images; images are scanned in CI before they are pushed.
  #checkov:skip=CKV_AZURE_163:Image vulnerability scanning is Microsoft Defender for Containers, a subscription plan, not a registry setting.
  name                          = var.name
  resource_group_name           = var.resource_group_name
  location                      = var.location
  sku                           = var.sku
  admin_enabled                 = false
  anonymous_pull_enabled        = false
  public_network_access_enabled = !var.private_endpoint_enabled
  network_rule_bypass_option    = "AzureServices"
  zone_redundancy_enabled       = var.sku == "Premium"
  retention_policy_in_days      = var.sku == "Premium" ? var.retention_days : null
  export_policy_enabled         = var.private_endpoint_enabled ? false : true
  quarantine_policy_enabled     = false
  data_endpoint_enabled         = var.sku == "Premium"
  tags                          = var.tags

  lifecycle {
    precondition {
      # Private endpoints only exist on Premium registries.
      condition     = !var.private_endpoint_enabled || var.sku == "Premium"
      error_message = "A private endpoint needs the Premium SKU."
    }
  }
}

resource "azurerm_role_assignment" "kubelet_acr_pull" {
  scope                            = azurerm_container_registry.this.id
  role_definition_name             = "AcrPull"
  principal_id                     = var.kubelet_identity_object_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
}

resource "azurerm_private_endpoint" "this" {
  count = var.private_endpoint_enabled ? 1 : 0

  name                = "pe-${var.name}"
  resource_group_name = var.resource_group_name
  location            = var.location
  subnet_id           = var.private_endpoint_subnet_id
  tags                = var.tags

  private_service_connection {
    name                           = "psc-${var.name}"
    private_connection_resource_id = azurerm_container_registry.this.id
    subresource_names              = ["registry"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = [var.private_dns_zone_id]
  }
}
