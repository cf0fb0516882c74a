# The contract test (tests/contract/) plans this root offline and reads the planned
# output.gitops_wiring: `terraform test -filter=tests/contract.tftest.hcl -json -verbose` prints
# a "test_plan" message whose test_plan.output_changes.gitops_wiring.after holds every key known
# at plan time (after_unknown marks the apply-time ones). Plan only, mocked provider: no Azure.

mock_provider "azurerm" {
  # Azure's published AzureFrontDoor.Backend service tag (two of its ranges).
  mock_data "azurerm_network_service_tags" {
    defaults = {
      ipv4_cidrs = ["147.243.0.0/16", "13.73.248.16/29"]
    }
  }
  mock_data "azurerm_client_config" {
    defaults = {
      tenant_id       = "00000000-0000-0000-0000-000000000000"
      object_id       = "44444444-4444-4444-4444-444444444444"
      subscription_id = "00000000-0000-0000-0000-000000000000"
      client_id       = "55555555-5555-5555-5555-555555555555"
    }
  }
  # What environments/shared made (looked up by the convention's names).
  mock_data "azurerm_container_registry" {
    defaults = {
      id           = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-shared-weu/providers/Microsoft.ContainerRegistry/registries/crmedqasharedweu"
      name         = "crmedqasharedweu"
      login_server = "crmedqasharedweu.azurecr.io"
    }
  }
  mock_data "azurerm_dns_zone" {
    defaults = {
      id   = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-shared-weu/providers/Microsoft.Network/dnsZones/medqa.example.com"
      name = "medqa.example.com"
    }
  }
}

run "gitops_wiring" {
  command = plan

  assert {
    condition     = toset(keys(output.gitops_wiring)) == toset(["ENVIRONMENT", "NAMESPACE", "SERVICE_ACCOUNT", "WORKLOAD_IDENTITY_CLIENT_ID", "TENANT_ID", "KEY_VAULT_URL", "GEMINI_SECRET_NAME", "POSTGRES_HOST", "POSTGRES_DATABASE", "POSTGRES_USER", "POSTGRES_SUBNET_CIDR", "POD_CIDR", "ACR_LOGIN_SERVER", "PUBLIC_HOST", "ORIGIN_HOST", "INGRESS_CLASS", "TLS_SECRET", "FRONT_DOOR_ID", "MIGRATE_SERVICE_ACCOUNT", "MIGRATE_WORKLOAD_IDENTITY_CLIENT_ID", "MIGRATE_POSTGRES_USER"])
    error_message = "gitops_wiring must have exactly the wiring keys of docs/platform-contract.md."
  }
  assert {
    condition = { for k, v in output.gitops_wiring : k => v if !contains(["WORKLOAD_IDENTITY_CLIENT_ID", "MIGRATE_WORKLOAD_IDENTITY_CLIENT_ID", "TENANT_ID", "FRONT_DOOR_ID"], k) } == {
      ENVIRONMENT             = "staging"
      NAMESPACE               = "medqa"
      SERVICE_ACCOUNT         = "medqa"
      KEY_VAULT_URL           = "https://kvmedqastagingweu.vault.azure.net/"
      GEMINI_SECRET_NAME      = "gemini-api-key"
      POSTGRES_HOST           = "psql-medqa-staging-weu.postgres.database.azure.com"
      POSTGRES_DATABASE       = "medqa"
      POSTGRES_USER           = "id-medqa-staging-weu"
      MIGRATE_POSTGRES_USER   = "id-medqa-staging-weu-migrate"
      MIGRATE_SERVICE_ACCOUNT = "medqa-migrate"
      POSTGRES_SUBNET_CIDR    = "10.40.8.0/27"
      POD_CIDR                = "192.168.0.0/16"
      ACR_LOGIN_SERVER        = "crmedqasharedweu.azurecr.io"
      PUBLIC_HOST             = "staging.medqa.example.com"
      ORIGIN_HOST             = "origin.staging.medqa.example.com"
      INGRESS_CLASS           = "nginx"
      TLS_SECRET              = "medqa-tls"
    }
    error_message = "Every plan-time wiring value must be the real one for staging."
  }
}
