# An environment's access to the shared registry (environments/shared): its kubelet may pull,
# nothing more, and (where enabled) the pulls stay inside the environment's VNet.
resource "azurerm_role_assignment" "kubelet_acr_pull" {
  scope                            = var.registry_id
  role_definition_name             = "AcrPull"
  principal_id                     = var.kubelet_identity_object_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
}

resource "azurerm_private_endpoint" "this" {
  count = var.private_endpoint_enabled ? 1 : 0

  name                = "pe-${var.registry_name}-${var.environment}"
  resource_group_name = var.resource_group_name
  location            = var.location
  subnet_id           = var.private_endpoint_subnet_id
  tags                = var.tags

  private_service_connection {
    name                           = "psc-${var.registry_name}-${var.environment}"
    private_connection_resource_id = var.registry_id
    subresource_names              = ["registry"]
    is_manual_connection           = false
  }

  # The zone group writes the login server and the regional data endpoint records into the
  # environment's own privatelink.azurecr.io zone, so the nodes resolve both privately.
  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = [var.private_dns_zone_id]
  }
}
