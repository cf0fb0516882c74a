mock_provider "azurerm" {}

variables {
  resource_group_name = "rg-medqa-dev-weu"
  location            = "westeurope"
  oidc_issuer_url     = "https://westeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/11111111-1111-1111-1111-111111111111/"
  tags                = { environment = "dev" }
  identities = {
    app     = { name = "id-medqa-dev-weu", namespace = "medqa", service_accounts = ["medqa"] }
    eso     = { name = "id-medqa-dev-weu-eso", namespace = "external-secrets", service_accounts = ["external-secrets"] }
    argocd  = { name = "id-medqa-dev-weu-argocd", namespace = "argocd", service_accounts = ["argocd-application-controller", "argocd-server"] }
    kyverno = { name = "id-medqa-dev-weu-kyverno", namespace = "kyverno", service_accounts = ["kyverno-admission-controller"] }
  }
}

run "federated_credentials_trust_only_their_service_accounts" {
  command = plan

  assert {
    condition     = azurerm_federated_identity_credential.this["app/medqa/medqa"].subject == "system:serviceaccount:medqa:medqa"
    error_message = "The app identity must trust only the medqa/medqa service account."
  }
  assert {
    condition     = azurerm_federated_identity_credential.this["eso/external-secrets/external-secrets"].subject == "system:serviceaccount:external-secrets:external-secrets"
    error_message = "The ESO identity must trust only the operator's service account."
  }
  assert {
    condition     = output.federated_subjects.argocd == tolist(["system:serviceaccount:argocd:argocd-application-controller", "system:serviceaccount:argocd:argocd-server"])
    error_message = "The Argo CD identity trusts its controller and server."
  }
  assert {
    condition     = output.federated_subjects.kyverno == tolist(["system:serviceaccount:kyverno:kyverno-admission-controller"]) && azurerm_user_assigned_identity.this["kyverno"].name == "id-medqa-dev-weu-kyverno"
    error_message = "The Kyverno identity trusts only the admission controller, which verifies image signatures."
  }
  assert {
    condition     = length(azurerm_federated_identity_credential.this) == 5
    error_message = "No other subject may be trusted."
  }
  assert {
    condition     = alltrue([for c in azurerm_federated_identity_credential.this : c.issuer == var.oidc_issuer_url])
    error_message = "Every credential must trust the cluster's OIDC issuer."
  }
  assert {
    condition     = alltrue([for c in azurerm_federated_identity_credential.this : tolist(c.audience) == tolist(["api://AzureADTokenExchange"])])
    error_message = "Workload identity tokens use the api://AzureADTokenExchange audience."
  }
  assert {
    condition     = output.identities.app.name == "id-medqa-dev-weu"
    error_message = "The identity names come from the caller (the naming convention)."
  }
}

run "http_issuer_is_rejected" {
  command = plan

  variables {
    oidc_issuer_url = "http://issuer.example.org/"
  }

  expect_failures = [var.oidc_issuer_url]
}

run "identity_without_service_account_is_rejected" {
  command = plan

  variables {
    identities = { app = { name = "id-medqa-dev-weu", namespace = "medqa", service_accounts = [] } }
  }

  expect_failures = [var.identities]
}
