# The identities of .github/workflows/terraform.yml: per root, one that plans (pull requests, drift)
# and one that applies (main, after reviewers approve the GitHub environment). Each trusts exactly one
# GitHub environment of this repository, so a workflow run elsewhere cannot borrow it.
locals {
  github_issuer = "https://token.actions.githubusercontent.com"

  subscription_scope = "/subscriptions/${var.subscription_id}"
  # The state container only (bootstrap/azuredeploy.json; the backend blocks name it): plan locks the
  # state with a blob lease, which needs write on the blob, not on the account.
  state_scope = join("/", [
    local.subscription_scope, "resourceGroups", var.state_storage.resource_group_name,
    "providers/Microsoft.Storage/storageAccounts", var.state_storage.account_name,
    "blobServices/default/containers", var.state_storage.container_name,
  ])

  terraform_identities = merge([for root in var.terraform_roots : {
    "plan-${root}"  = { root = root, kind = "plan", github_environment = "terraform-plan-${root}" }
    "apply-${root}" = { root = root, kind = "apply", github_environment = "terraform-${root}" }
  }]...)

  # plan: read everything, lease the state. apply: change resources, and grant the roles the roots
  # assign (AcrPull, DNS Zone Contributor, Key Vault roles, ...) but never the privileged ones.
  terraform_roles = {
    plan = {
      reader = { role = "Reader", scope = local.subscription_scope, condition = null }
      state  = { role = "Storage Blob Data Contributor", scope = local.state_scope, condition = null }
    }
    apply = {
      contributor = { role = "Contributor", scope = local.subscription_scope, condition = null }
      rbac        = { role = "Role Based Access Control Administrator", scope = local.subscription_scope, condition = local.no_privileged_roles }
      state       = { role = "Storage Blob Data Contributor", scope = local.state_scope, condition = null }
    }
  }
  terraform_role_assignments = merge([
    for key, identity in local.terraform_identities : {
      for name, role in local.terraform_roles[identity.kind] : "${key}/${name}" => merge(role, { identity = key })
    }
  ]...)

  # Owner, User Access Administrator and Role Based Access Control Administrator: an apply identity
  # may neither grant nor remove them, so a compromised workflow cannot make itself (or anyone) an owner.
  privileged_role_ids = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635, 18d7d88d-d35e-4fb5-a5c3-7773c20a72d9, f58310d9-a9f6-439a-9e8d-f62e7b41a168"
  no_privileged_roles = <<-EOT
    (
     (
      !(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})
     )
     OR
     (
      @Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {${local.privileged_role_ids}}
     )
    )
    AND
    (
     (
      !(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})
     )
     OR
     (
      @Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {${local.privileged_role_ids}}
     )
    )
  EOT
}

resource "azurerm_user_assigned_identity" "terraform" {
  for_each = local.terraform_identities

  name                = "${local.names.user_assigned_identity}-tf-${each.key}"
  resource_group_name = azurerm_resource_group.this.name
  location            = var.location
  tags                = local.tags
}

resource "azurerm_federated_identity_credential" "terraform" {
  for_each = local.terraform_identities

  name                      = "github-environment-${each.value.github_environment}"
  user_assigned_identity_id = azurerm_user_assigned_identity.terraform[each.key].id
  audience                  = ["api://AzureADTokenExchange"]
  issuer                    = local.github_issuer
  subject                   = "repo:${var.github_repository}:environment:${each.value.github_environment}"
}

resource "azurerm_role_assignment" "terraform" {
  for_each = local.terraform_role_assignments

  scope                = each.value.scope
  role_definition_name = each.value.role
  principal_id         = azurerm_user_assigned_identity.terraform[each.value.identity].principal_id
  principal_type       = "ServicePrincipal"
  condition            = each.value.condition
  condition_version    = each.value.condition == null ? null : "2.0"
}
