# The ingress load balancer's address: static, so the origin A record and Front Door never chase
# a new IP, and outside the node resource group, so it survives a cluster rebuild. ingress-nginx
# asks for it by name (service annotations azure-pip-name and azure-load-balancer-resource-group).
resource "azurerm_public_ip" "ingress" {
  name                = var.ingress_public_ip_name
  resource_group_name = var.resource_group_name
  location            = var.location
  allocation_method   = "Static"
  sku                 = "Standard"
  zones               = var.zones
  tags                = var.tags
}

# The cloud provider runs as the control plane identity: it must read and join this address to
# put it on the load balancer. Scoped to the address itself, not the resource group.
resource "azurerm_role_assignment" "control_plane_ingress_ip" {
  scope                = azurerm_public_ip.ingress.id
  role_definition_name = "Network Contributor"
  principal_id         = azurerm_user_assigned_identity.control_plane.principal_id
  principal_type       = "ServicePrincipal"
}
