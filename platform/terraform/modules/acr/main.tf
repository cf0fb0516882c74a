# The one registry every environment pulls from (environments/shared). Promotion moves a digest
# between overlays, so no image is ever copied between registries.
resource "azurerm_container_registry" "this" {
  #checkov:skip=CKV_AZURE_139:Public access stays on for GitHub-hosted runners (no fixed egress IPs) with Entra auth only (admin and anonymous pull off); clusters pull through private endpoints.
  #checkov:skip=CKV_AZURE_164:Docker Content Trust was retired by Azure and removed from azurerm 5.x; images are cosign-signed and Kyverno verifies them at admission.
  #checkov:skip=CKV_AZURE_165:Single-region service: geo-replication would add cost without a second region to serve.
  #checkov:skip=CKV_AZURE_166:Quarantine needs a scanner that releases images; images are scanned in CI before they are pushed.
  #checkov:skip=CKV_AZURE_163:Image vulnerability scanning is Microsoft Defender for Containers, a subscription plan, not a registry setting.
  #checkov:skip=CKV_AZURE_233:Zone redundancy needs Premium; it is on whenever sku is Premium (the shared registry), tested.
  #checkov:skip=CKV_AZURE_237:Dedicated data endpoints need Premium; they are on whenever sku is Premium (the shared registry), tested.
  name                   = var.name
  resource_group_name    = var.resource_group_name
  location               = var.location
  sku                    = var.sku
  admin_enabled          = false
  anonymous_pull_enabled = false
  # GitHub-hosted runners have no fixed egress addresses, so an IP allow list cannot admit the
  # release workflow: the public endpoint stays reachable and every request needs an Entra token
  # (no admin user, no anonymous pull). Clusters use private endpoints in their own VNets.
  public_network_access_enabled = var.public_network_access_enabled
  network_rule_bypass_option    = "AzureServices"
  zone_redundancy_enabled       = var.sku == "Premium"
  retention_policy_in_days      = var.sku == "Premium" ? var.retention_days : null
  # Azure refuses to turn export off while the public endpoint is on.
  export_policy_enabled     = var.public_network_access_enabled
  quarantine_policy_enabled = false
  data_endpoint_enabled     = var.sku == "Premium"
  tags                      = var.tags
}

# Pushers (the release workflow's identity). Pullers are granted by each environment root.
resource "azurerm_role_assignment" "push" {
  for_each = var.push_principal_ids

  scope                            = azurerm_container_registry.this.id
  role_definition_name             = "AcrPush"
  principal_id                     = each.value
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
}
