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

run "terraform_workflow_identities_trust_one_github_environment_each" {
  command = plan

  assert {
    condition = output.terraform_workflow_subjects == {
      "terraform-plan-shared"  = "repo:example-org/medqa:environment:terraform-plan-shared"
      "terraform-shared"       = "repo:example-org/medqa:environment:terraform-shared"
      "terraform-plan-dev"     = "repo:example-org/medqa:environment:terraform-plan-dev"
      "terraform-dev"          = "repo:example-org/medqa:environment:terraform-dev"
      "terraform-plan-staging" = "repo:example-org/medqa:environment:terraform-plan-staging"
      "terraform-staging"      = "repo:example-org/medqa:environment:terraform-staging"
      "terraform-plan-prod"    = "repo:example-org/medqa:environment:terraform-plan-prod"
      "terraform-prod"         = "repo:example-org/medqa:environment:terraform-prod"
    }
    error_message = "Each workflow identity trusts exactly the GitHub environment .github/workflows/terraform.yml runs its job in."
  }
  assert {
    condition     = alltrue([for c in azurerm_federated_identity_credential.terraform : c.issuer == "https://token.actions.githubusercontent.com" && tolist(c.audience) == tolist(["api://AzureADTokenExchange"])])
    error_message = "The credentials trust GitHub's OIDC issuer with the Entra token exchange audience."
  }
  assert {
    condition     = azurerm_user_assigned_identity.terraform["plan-dev"].name == "id-medqa-shared-weu-tf-plan-dev" && azurerm_user_assigned_identity.terraform["apply-prod"].name == "id-medqa-shared-weu-tf-apply-prod"
    error_message = "The workflow identities follow the convention."
  }
  assert {
    condition     = length(output.terraform_workflow_client_ids) == 8
    error_message = "The client IDs of all eight GitHub environments are outputs."
  }
}

run "plan_identities_read_and_lease_the_state_apply_identities_cannot_grant_privileged_roles" {
  command = plan

  assert {
    condition = toset([for k, a in azurerm_role_assignment.terraform : "${a.role_definition_name}@${a.scope}" if startswith(k, "plan-dev/")]) == toset([
      "Reader@/subscriptions/00000000-0000-0000-0000-000000000000",
      "Storage Blob Data Contributor@/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-tfstate-weu/providers/Microsoft.Storage/storageAccounts/stmedqatfstateweu/blobServices/default/containers/tfstate",
    ])
    error_message = "A plan identity reads the subscription and may lease only the state container's blobs."
  }
  assert {
    condition     = toset([for k, a in azurerm_role_assignment.terraform : a.role_definition_name if startswith(k, "apply-dev/")]) == toset(["Contributor", "Role Based Access Control Administrator", "Storage Blob Data Contributor"])
    error_message = "An apply identity changes resources, assigns roles and writes the state; never Owner or User Access Administrator."
  }
  assert {
    condition     = alltrue([for k, a in azurerm_role_assignment.terraform : strcontains(a.condition, "8e3af657-a8ff-443c-a75c-2fe8c4bcb635") && strcontains(a.condition, "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9") && strcontains(a.condition, "f58310d9-a9f6-439a-9e8d-f62e7b41a168") && a.condition_version == "2.0" if a.role_definition_name == "Role Based Access Control Administrator"])
    error_message = "Role assignment rights exclude Owner, User Access Administrator and RBAC Administrator themselves."
  }
  assert {
    condition     = length([for a in azurerm_role_assignment.terraform : a if a.role_definition_name == "Role Based Access Control Administrator"]) == 4 && alltrue([for k, a in azurerm_role_assignment.terraform : a.condition == null if a.role_definition_name != "Role Based Access Control Administrator"])
    error_message = "Only the four apply identities may assign roles."
  }
}
