# What environments/shared made: the one registry and the public zone. Found by the names the
# convention gives the shared environment (not by input variables holding IDs), so an env root
# cannot drift to another registry, and a plan fails clearly when the shared root is not applied.
module "shared_naming" {
  source = "../naming"

  environment = "shared"
  location    = var.shared_location
  owner       = var.owner
  cost_center = var.cost_center
}

data "azurerm_container_registry" "shared" {
  name                = local.shared_names.container_registry
  resource_group_name = local.shared_names.resource_group

  lifecycle {
    postcondition {
      condition     = self.login_server == local.acr_login_server
      error_message = "The shared registry's login server is not the derived ${local.acr_login_server}."
    }
  }
}

data "azurerm_dns_zone" "shared" {
  name                = var.dns_zone_name
  resource_group_name = local.shared_names.resource_group
}

# cert-manager solves DNS-01 for the Ingress certificate (public and origin host) in the shared zone.
resource "azurerm_role_assignment" "cert_manager_dns" {
  scope                = data.azurerm_dns_zone.shared.id
  role_definition_name = "DNS Zone Contributor"
  principal_id         = module.identity.identities["cert_manager"].principal_id
  principal_type       = "ServicePrincipal"
}
