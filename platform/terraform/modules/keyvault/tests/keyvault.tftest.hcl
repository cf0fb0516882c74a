mock_provider "azurerm" {}

variables {
  name                          = "kvmedqadevweu"
  resource_group_name           = "rg-medqa-dev-weu"
  location                      = "westeurope"
  tenant_id                     = "00000000-0000-0000-0000-000000000000"
  private_endpoint_subnet_id    = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-dev-weu/providers/Microsoft.Network/virtualNetworks/vnet-medqa-dev-weu/subnets/snet-private-endpoints"
  private_dns_zone_id           = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-dev-weu/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net"
  secrets_user_principal_ids    = { app = "33333333-3333-3333-3333-333333333333" }
  secrets_officer_principal_ids = { deployer = "44444444-4444-4444-4444-444444444444" }
  log_analytics_workspace_id    = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-dev-weu/providers/Microsoft.OperationalInsights/workspaces/log-medqa-dev-weu"
  tags                          = { environment = "dev" }
}

run "vault_is_private_rbac_and_purge_protected" {
  command = plan

  assert {
    condition     = azurerm_key_vault.this.rbac_authorization_enabled
    error_message = "The Key Vault must use RBAC, not access policies."
  }
  assert {
    condition     = azurerm_key_vault.this.purge_protection_enabled
    error_message = "Purge protection must be on."
  }
  assert {
    condition     = azurerm_key_vault.this.public_network_access_enabled == false && azurerm_key_vault.this.network_acls[0].default_action == "Deny"
    error_message = "The Key Vault must have no public network access."
  }
  assert {
    condition     = azurerm_private_endpoint.this.private_service_connection[0].subresource_names == tolist(["vault"])
    error_message = "The private endpoint must target the vault sub-resource."
  }
}

run "app_identity_reads_secrets_only" {
  command = plan

  assert {
    condition     = azurerm_role_assignment.secrets_user["app"].role_definition_name == "Key Vault Secrets User" && azurerm_role_assignment.secrets_user["app"].principal_id == "33333333-3333-3333-3333-333333333333"
    error_message = "The app's workload identity must get Key Vault Secrets User."
  }
  assert {
    condition     = azurerm_role_assignment.secrets_officer["deployer"].role_definition_name == "Key Vault Secrets Officer"
    error_message = "The deployer must get Secrets Officer to create the placeholders."
  }
}

run "secrets_are_placeholders_kept_out_of_state" {
  command = plan

  assert {
    condition     = azurerm_key_vault_secret.placeholder["gemini-api-key"].value == null
    error_message = "A secret value must never be stored in state: placeholders use the write-only value_wo."
  }
  assert {
    condition     = output.secret_names == tolist(["argocd-oncall-webhook-url", "gemini-api-key"])
    error_message = "The secrets to set out of band are the Gemini key and the Argo CD on-call webhook URL (argocd-notifications-secret); no database password exists."
  }
  assert {
    condition     = output.derived_vault_url == "https://kvmedqadevweu.vault.azure.net/"
    error_message = "The vault URL is derived from the name at plan time."
  }
  assert {
    condition     = azurerm_key_vault_secret.placeholder["gemini-api-key"].value_wo_version == 1
    error_message = "The placeholder version must stay fixed so Terraform never overwrites the real value."
  }
  assert {
    condition     = length(azurerm_monitor_diagnostic_setting.this) == 1
    error_message = "Audit logs must go to Log Analytics."
  }
}

run "bad_secret_name_is_rejected" {
  command = plan

  variables {
    secret_names = ["gemini_api_key"]
  }

  expect_failures = [var.secret_names]
}

run "audit_logs_need_a_workspace" {
  command = plan

  variables {
    log_analytics_workspace_id = null
  }

  expect_failures = [var.log_analytics_workspace_id]
}
