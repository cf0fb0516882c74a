# The naming module turns platform/conventions.json into names and tags (no provider involved).

variables {
  environment = "dev"
  location    = "westeurope"
  owner       = "platform-team"
  cost_center = "cc-1"
}

run "long_lived_names_follow_the_convention" {
  command = plan

  assert {
    condition     = output.names.kubernetes_cluster == "aks-medqa-dev-weu"
    error_message = "AKS name must follow {abbr}-{workload}-{environment}-{region}."
  }
  assert {
    condition     = output.names.key_vault == "kvmedqadevweu" && output.names.storage_account == "stmedqadevweu"
    error_message = "Compact kinds must drop the dashes."
  }
  assert {
    condition     = length(output.names.key_vault) <= 24 && length(output.names.storage_account) <= 24
    error_message = "Compact names must respect the convention's max_length."
  }
  assert {
    condition     = alltrue([for k in output.required_tag_keys : contains(keys(output.tags), k)])
    error_message = "Every required tag must be present."
  }
  assert {
    condition     = output.tags.managed_by == "terraform" && output.tags.workload == "medqa" && !contains(keys(output.tags), "expires_on")
    error_message = "Required tag values are wrong, or a long-lived environment got expires_on."
  }
}

run "extra_tags_cannot_override_required_ones" {
  command = plan

  variables {
    extra_tags = { environment = "prod", team = "x" }
  }

  assert {
    condition     = output.tags.environment == "dev" && output.tags.team == "x"
    error_message = "Extra tags must not override required tags."
  }
}

run "short_lived_environment_gets_expiry_tag" {
  command = plan

  variables {
    environment = "preview"
    expires_on  = "2026-12-31"
  }

  assert {
    condition     = output.tags.expires_on == "2026-12-31" && contains(output.required_tag_keys, "expires_on")
    error_message = "Short-lived environments must carry expires_on."
  }
}

run "short_lived_environment_without_expiry_is_flagged" {
  command = plan

  variables {
    environment = "preview"
  }

  expect_failures = [check.short_lived_environments_expire]
}

run "unknown_region_is_rejected" {
  command = plan

  variables {
    location = "mars-central"
  }

  expect_failures = [var.location]
}

run "unknown_environment_is_rejected" {
  command = plan

  variables {
    environment = "qa"
  }

  expect_failures = [var.environment]
}
