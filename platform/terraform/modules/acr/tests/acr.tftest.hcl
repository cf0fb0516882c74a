mock_provider "azurerm" {}

variables {
  name                = "crmedqasharedweu"
  resource_group_name = "rg-medqa-shared-weu"
  location            = "westeurope"
  push_principal_ids  = { release = "66666666-6666-6666-6666-666666666666" }
  tags                = { environment = "shared" }
}

run "shared_registry_needs_entra_auth_for_every_request" {
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
    condition     = azurerm_container_registry.this.sku == "Premium" && azurerm_container_registry.this.zone_redundancy_enabled && azurerm_container_registry.this.data_endpoint_enabled
    error_message = "The shared registry is Premium (private endpoints), zone redundant, with data endpoints."
  }
  assert {
    condition     = azurerm_container_registry.this.public_network_access_enabled && azurerm_container_registry.this.export_policy_enabled
    error_message = "Hosted runners push over the public endpoint (export cannot be off while it is on)."
  }
}

run "only_the_release_identity_pushes" {
  command = plan

  assert {
    condition     = azurerm_role_assignment.push["release"].role_definition_name == "AcrPush" && azurerm_role_assignment.push["release"].principal_id == "66666666-6666-6666-6666-666666666666"
    error_message = "The release identity must get AcrPush."
  }
  assert {
    condition     = length(azurerm_role_assignment.push) == 1
    error_message = "Nobody else may push."
  }
}

run "private_registry_turns_export_off" {
  command = plan

  variables {
    public_network_access_enabled = false
  }

  assert {
    condition     = !azurerm_container_registry.this.public_network_access_enabled && !azurerm_container_registry.this.export_policy_enabled
    error_message = "A private registry must not allow export."
  }
}
