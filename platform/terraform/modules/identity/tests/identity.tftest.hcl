mock_provider "azurerm" {}

variables {
  name                = "id-medqa-dev-weu"
  resource_group_name = "rg-medqa-dev-weu"
  location            = "westeurope"
  oidc_issuer_url     = "https://westeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/11111111-1111-1111-1111-111111111111/"
  tags                = { environment = "dev" }
}

run "federated_credential_trusts_only_the_service_account" {
  command = plan

  assert {
    condition     = azurerm_federated_identity_credential.this.subject == "system:serviceaccount:medqa:medqa"
    error_message = "The credential must trust only the medqa/medqa service account."
  }
  assert {
    condition     = azurerm_federated_identity_credential.this.issuer == var.oidc_issuer_url
    error_message = "The credential must trust the cluster's OIDC issuer."
  }
  assert {
    condition     = tolist(azurerm_federated_identity_credential.this.audience) == tolist(["api://AzureADTokenExchange"])
    error_message = "Workload identity tokens use the api://AzureADTokenExchange audience."
  }
}

run "http_issuer_is_rejected" {
  command = plan

  variables {
    oidc_issuer_url = "http://issuer.example.org/"
  }

  expect_failures = [var.oidc_issuer_url]
}
