# The whole prod environment plans against the real azurerm schema with a mocked provider,
# with the committed terraform.tfvars; the assertions are the prod-only properties of issue #8.

mock_provider "azurerm" {
  mock_data "azurerm_client_config" {
    defaults = {
      tenant_id       = "00000000-0000-0000-0000-000000000000"
      object_id       = "44444444-4444-4444-4444-444444444444"
      subscription_id = "00000000-0000-0000-0000-000000000000"
      client_id       = "55555555-5555-5555-5555-555555555555"
    }
  }
}

run "prod_is_private_zone_redundant_and_highly_available" {
  command = plan

  assert {
    condition     = output.posture.aks.private_cluster_enabled && output.posture.aks.local_account_disabled && output.posture.aks.sku_tier == "Standard"
    error_message = "prod: private API server, no local accounts, SLA tier."
  }
  assert {
    condition     = tolist(output.posture.aks.system_zones) == tolist(["1", "2", "3"]) && tolist(output.posture.aks.user_zones) == tolist(["1", "2", "3"])
    error_message = "prod node pools must span three zones."
  }
  assert {
    condition     = output.posture.postgres.high_availability_mode == "ZoneRedundant" && output.posture.postgres.standby_zone != output.posture.postgres.zone
    error_message = "prod PostgreSQL must have a zone-redundant standby."
  }
  assert {
    condition     = output.posture.postgres.geo_redundant_backup_enabled && !output.posture.postgres.public_network_access_enabled
    error_message = "prod PostgreSQL backups are geo-redundant and the server is private."
  }
  assert {
    condition     = output.posture.acr.private_endpoint && !output.posture.acr.public_network_access_enabled && !output.posture.acr.admin_enabled
    error_message = "prod ACR is reached only through its private endpoint, with no admin user."
  }
  assert {
    condition     = !output.posture.keyvault.public_network_access_enabled && output.posture.keyvault.purge_protection_enabled
    error_message = "prod Key Vault is private and purge protected."
  }
  assert {
    condition     = output.posture.edge.waf_mode == "Prevention" && output.posture.edge.waf_enabled && output.posture.edge.sku_name == "Premium_AzureFrontDoor"
    error_message = "prod WAF must block (Prevention) on Front Door Premium."
  }
}
