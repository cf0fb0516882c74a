# shared: what every environment uses and none owns. The one registry (promotion moves a digest
# between overlays, no image is copied), the public DNS zone the environments' hosts live in, and
# the release workflow's identity, which pushes with GitHub OIDC (no stored credential).
module "naming" {
  source = "../../modules/naming"

  environment = "shared"
  location    = var.location
  owner       = var.owner
  cost_center = var.cost_center
}

locals {
  names = module.naming.names
  tags  = module.naming.tags
  # GitHub's OIDC subject: repo:<owner>/<repo>:environment:<name> or :ref:refs/heads/<branch>.
  release_subjects = { for s in var.github_release_subjects : s => "repo:${var.github_repository}:${s}" }
}

resource "azurerm_resource_group" "this" {
  name     = local.names.resource_group
  location = var.location
  tags     = local.tags
}

module "acr" {
  source = "../../modules/acr"

  name                = local.names.container_registry
  resource_group_name = azurerm_resource_group.this.name
  location            = var.location
  sku                 = "Premium"
  # Public access stays on: GitHub-hosted runners have no fixed egress IPs to allow-list, so the
  # release workflow pushes over the public endpoint with an Entra token (admin user and anonymous
  # pull are off). The clusters pull through private endpoints in their own VNets.
  public_network_access_enabled = true
  push_principal_ids            = { release = azurerm_user_assigned_identity.release.principal_id }
  tags                          = local.tags
}

resource "azurerm_dns_zone" "this" {
  name                = var.dns_zone_name
  resource_group_name = azurerm_resource_group.this.name
  tags                = local.tags
}

resource "azurerm_user_assigned_identity" "release" {
  name                = "${local.names.user_assigned_identity}-release"
  resource_group_name = azurerm_resource_group.this.name
  location            = var.location
  tags                = local.tags
}

# Only workflow runs of this repository with the given subjects (the protected release
# environment, or the main branch) can exchange their GitHub token for this identity.
resource "azurerm_federated_identity_credential" "release" {
  for_each = local.release_subjects

  name                      = "github-${replace(replace(each.key, ":", "-"), "/", "-")}"
  user_assigned_identity_id = azurerm_user_assigned_identity.release.id
  audience                  = ["api://AzureADTokenExchange"]
  issuer                    = "https://token.actions.githubusercontent.com"
  subject                   = each.value
}
