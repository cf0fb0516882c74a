terraform {
  required_version = ">= 1.11.0"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 5.2"
    }
  }

  # The state store made by platform/terraform/bootstrap (ARM). Entra ID auth: the storage account
  # has shared keys disabled, so the identity running Terraform needs Storage Blob Data Contributor.
  backend "azurerm" {
    resource_group_name  = "rg-medqa-tfstate-weu"
    storage_account_name = "stmedqatfstateweu"
    container_name       = "tfstate"
    key                  = "medqa-staging.tfstate"
    use_azuread_auth     = true
  }
}
