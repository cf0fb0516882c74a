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

  lifecycle {
    postcondition {
      condition     = can(regex("^/subscriptions/[^/]+/", self.id))
      error_message = "The shared zone's ID must be an Azure resource ID (its subscription goes into the cluster registration)."
    }
  }
}

# cert-manager solves DNS-01 for the Ingress certificate (public and origin host) in the shared zone.
resource "azurerm_role_assignment" "cert_manager_dns" {
  scope                = data.azurerm_dns_zone.shared.id
  role_definition_name = "DNS Zone Contributor"
  principal_id         = module.identity.identities["cert_manager"].principal_id
  principal_type       = "ServicePrincipal"
}

# verify-medqa-images reads the cosign signatures stored beside the images: the admission controller
# pulls them as its own identity, with the same read-only role the kubelet has.
resource "azurerm_role_assignment" "kyverno_acr_pull" {
  scope                = data.azurerm_container_registry.shared.id
  role_definition_name = "AcrPull"
  principal_id         = module.identity.identities["kyverno"].principal_id
  principal_type       = "ServicePrincipal"
}

# The ranges Front Door reaches the origin from, read from Azure's published service tags at plan time
# (so they follow Microsoft's changes on the next apply): ingress-nginx trusts X-Forwarded-For only
# from them (proxy-real-ip-cidr). IPv4 only: the ingress address is IPv4.
data "azurerm_network_service_tags" "front_door_backend" {
  location = var.location
  service  = "AzureFrontDoor.Backend"
}
