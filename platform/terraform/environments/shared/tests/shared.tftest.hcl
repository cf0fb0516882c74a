# The shared root plans against the real azurerm schema with a mocked provider and the committed
# terraform.tfvars.

mock_provider "azurerm" {}

run "one_registry_entra_only_pushed_by_the_release_identity" {
  command = plan

  assert {
    condition     = module.acr.name == "crmedqasharedweu" && output.resource_group_name == "rg-medqa-shared-weu"
    error_message = "The one registry is crmedqasharedweu in rg-medqa-shared-weu (the names environment roots look up)."
  }
  assert {
    condition     = output.posture.sku == "Premium" && !output.posture.admin_enabled && !output.posture.anonymous_pull_enabled
    error_message = "Premium (private endpoints), no admin user, no anonymous pull."
  }
  assert {
    condition     = output.posture.public_network_access_enabled
    error_message = "Hosted runners (no fixed IPs) push over the public endpoint with Entra auth."
  }
  assert {
    condition     = output.posture.push_roles == { release = "AcrPush" }
    error_message = "Only the release identity pushes, with AcrPush."
  }
}

run "release_identity_trusts_only_the_release_environment" {
  command = plan

  assert {
    condition     = output.release_federated_subjects == tolist(["repo:example-org/medqa:environment:release"])
    error_message = "Only the repository's release environment may push."
  }
  assert {
    condition     = alltrue([for c in azurerm_federated_identity_credential.release : c.issuer == "https://token.actions.githubusercontent.com" && tolist(c.audience) == tolist(["api://AzureADTokenExchange"])])
    error_message = "The credential trusts GitHub's OIDC issuer with the Entra token exchange audience."
  }
  assert {
    condition     = azurerm_user_assigned_identity.release.name == "id-medqa-shared-weu-release"
    error_message = "The release identity follows the convention."
  }
}

run "main_branch_can_be_trusted_instead" {
  command = plan

  variables {
    github_release_subjects = ["ref:refs/heads/main"]
  }

  assert {
    condition     = output.release_federated_subjects == tolist(["repo:example-org/medqa:ref:refs/heads/main"])
    error_message = "The main branch subject is repo:<owner>/<name>:ref:refs/heads/main."
  }
}

run "pull_request_subjects_are_refused" {
  command = plan

  variables {
    github_release_subjects = ["pull_request"]
  }

  expect_failures = [var.github_release_subjects]
}

run "dns_zone_is_the_shared_public_zone" {
  command = plan

  assert {
    condition     = azurerm_dns_zone.this.name == "medqa.example.com" && output.dns_zone_resource_group_name == "rg-medqa-shared-weu"
    error_message = "The public zone medqa.example.com lives in the shared resource group."
  }
}
