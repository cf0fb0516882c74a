mock_provider "azurerm" {}

variables {
  name                       = "crmedqadevweu"
  resource_group_name        = "rg-medqa-dev-weu"
  location                   = "westeurope"
  sku                        = "Standard"
  kubelet_identity_object_id = "22222222-2222-2222-2222-222222222222"
  tags                       = { environment = "dev" }
}

run "dev_registry_has_no_admin_user_and_grants_acr_pull" {
  command = plan

  assert {
    condition     = azurerm_container_registry.this.admin_enabled == false
    error_message = "The registry admin user must be disabled."
  }
  assert {
    condition     = azurerm_container_registry.this.anonymous_pull_enabled == false
    error_message = "Anonymous pull must be disabled."
  }
  assert {
    condition     = azurerm_role_assignment.kubelet_acr_pull.role_definition_name == "AcrPull" && azurerm_role_assignment.kubelet_acr_pull.principal_id == var.kubelet_identity_object_id
    error_message = "The kubelet identity must get AcrPull (and only that)."
  }
  assert {
    condition     = length(azurerm_private_endpoint.this) == 0
    error_message = "dev has no private endpoint."
  }
}

run "prod_registry_is_private" {
  command = plan

  variables {
    sku                        = "Premium"
    private_endpoint_enabled   = true
    private_endpoint_subnet_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-prod-weu/providers/Microsoft.Network/virtualNetworks/vnet-medqa-prod-weu/subnets/snet-private-endpoints"
    private_dns_zone_id        = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-prod-weu/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io"
  }

  assert {
    condition     = azurerm_container_registry.this.public_network_access_enabled == false
    error_message = "A registry with a private endpoint must disable public network access."
  }
  assert {
    condition     = azurerm_private_endpoint.this[0].private_service_connection[0].subresource_names == tolist(["registry"])
    error_message = "The private endpoint must target the registry sub-resource."
  }
  assert {
    condition     = azurerm_container_registry.this.admin_enabled == false && azurerm_container_registry.this.zone_redundancy_enabled
    error_message = "The prod registry must be zone redundant with no admin user."
  }
}

run "private_endpoint_needs_premium" {
  command = plan

  variables {
    sku                        = "Standard"
    private_endpoint_enabled   = true
    private_endpoint_subnet_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet"
    private_dns_zone_id        = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io"
  }

  expect_failures = [azurerm_container_registry.this]
}

run "private_endpoint_needs_a_subnet" {
  command = plan

  variables {
    sku                      = "Premium"
    private_endpoint_enabled = true
  }

  expect_failures = [var.private_endpoint_subnet_id, var.private_dns_zone_id]
}
