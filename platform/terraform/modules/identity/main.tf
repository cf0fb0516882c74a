resource "azurerm_user_assigned_identity" "this" {
  for_each = var.identities

  name                = each.value.name
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = var.tags
}

# Workload identity: only the listed service accounts of this one cluster can get tokens for an identity.
resource "azurerm_federated_identity_credential" "this" {
  for_each = local.credentials

  name                      = each.value.name
  user_assigned_identity_id = azurerm_user_assigned_identity.this[each.value.identity].id
  audience                  = ["api://AzureADTokenExchange"]
  issuer                    = var.oidc_issuer_url
  subject                   = each.value.subject
}
