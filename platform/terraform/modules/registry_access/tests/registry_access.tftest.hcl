mock_provider "azurerm" {}

variables {
  environment                = "prod"
  registry_id                = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-shared-weu/providers/Microsoft.ContainerRegistry/registries/crmedqasharedweu"
  registry_name              = "crmedqasharedweu"
  resource_group_name        = "rg-medqa-prod-weu"
  location                   = "westeurope"
  kubelet_identity_object_id = "22222222-2222-2222-2222-222222222222"
  private_endpoint_subnet_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-prod-weu/providers/Microsoft.Network/virtualNetworks/vnet-medqa-prod-weu/subnets/snet-private-endpoints"
  private_dns_zone_id        = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-prod-weu/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io"
  tags                       = { environment = "prod" }
}

run "kubelet_pulls_from_the_shared_registry_only" {
  command = plan

  assert {
    condition     = azurerm_role_assignment.kubelet_acr_pull.role_definition_name == "AcrPull" && azurerm_role_assignment.kubelet_acr_pull.scope == var.registry_id
    error_message = "The kubelet identity must get AcrPull on the shared registry (and only that)."
  }
  assert {
    condition     = azurerm_role_assignment.kubelet_acr_pull.principal_id == var.kubelet_identity_object_id
    error_message = "AcrPull goes to the kubelet identity."
  }
}

run "private_endpoint_in_the_environment_vnet" {
  command = plan

  assert {
    condition     = azurerm_private_endpoint.this[0].private_service_connection[0].private_connection_resource_id == var.registry_id && azurerm_private_endpoint.this[0].private_service_connection[0].subresource_names == tolist(["registry"])
    error_message = "The private endpoint must target the shared registry's registry sub-resource."
  }
  assert {
    condition     = azurerm_private_endpoint.this[0].subnet_id == var.private_endpoint_subnet_id && azurerm_private_endpoint.this[0].name == "pe-crmedqasharedweu-prod"
    error_message = "The private endpoint lives in the environment's private endpoint subnet, named per environment."
  }
}

run "dev_may_pull_over_the_public_endpoint" {
  command = plan

  variables {
    environment                = "dev"
    private_endpoint_enabled   = false
    private_endpoint_subnet_id = null
    private_dns_zone_id        = null
  }

  assert {
    condition     = length(azurerm_private_endpoint.this) == 0
    error_message = "dev has no private endpoint."
  }
}

run "private_endpoint_needs_a_subnet" {
  command = plan

  variables {
    private_endpoint_subnet_id = null
    private_dns_zone_id        = null
  }

  expect_failures = [var.private_endpoint_subnet_id, var.private_dns_zone_id]
}
