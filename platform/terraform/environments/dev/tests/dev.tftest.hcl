# The whole dev environment plans against the real azurerm schema with a mocked provider,
# with the committed terraform.tfvars.

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

run "dev_plans_cheap_but_locked_down" {
  command = plan

  assert {
    condition     = output.posture.aks.local_account_disabled && !output.posture.aks.private_cluster_enabled && length(output.posture.aks.authorized_ip_ranges) > 0
    error_message = "dev: public API server limited to authorized ranges, no local accounts."
  }
  assert {
    condition     = output.posture.aks.sku_tier == "Free" && output.posture.postgres.high_availability_mode == null
    error_message = "dev uses the free control plane and no database HA (cost)."
  }
  assert {
    condition     = !output.posture.postgres.public_network_access_enabled && !output.posture.postgres.password_auth_enabled
    error_message = "dev PostgreSQL is private and Entra-only too."
  }
  assert {
    condition     = !output.posture.keyvault.public_network_access_enabled && output.posture.keyvault.rbac_authorization_enabled
    error_message = "dev Key Vault is private with RBAC."
  }
  assert {
    condition     = !output.posture.acr.admin_enabled && output.posture.edge.waf_mode == "Prevention"
    error_message = "No ACR admin user; WAF in Prevention mode."
  }
}
