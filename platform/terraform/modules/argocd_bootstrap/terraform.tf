terraform {
  required_version = ">= 1.11.0"

  # azurerm writes the cluster registration into Key Vault. The hashicorp/helm and kubernetes
  # providers cannot be built offline here (see scripts/tools.toml), so the pinned helm CLI installs
  # the charts from a terraform_data resource; its inputs are plain values the plan-only tests assert.
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 5.2"
    }
  }
}
