resource "azurerm_user_assigned_identity" "this" {
  name                = var.name
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = var.tags
}

# Workload identity: only this one service account in this one cluster can get tokens for the identity.
resource "azurerm_federated_identity_credential" "this" {
  name                      = "${var.service_account_namespace}-${var.service_account_name}"
  user_assigned_identity_id = azurerm_user_assigned_identity.this.id
  audience                  = ["api://AzureADTokenExchange"]
  issuer                    = var.oidc_issuer_url
  subject                   = local.subject
}
