mock_provider "azurerm" {
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

variables {
  environment                   = "dev"
  location                      = "westeurope"
  owner                         = "platform-team"
  cost_center                   = "cc-1"
  tenant_id                     = "00000000-0000-0000-0000-000000000000"
  deployer_object_id            = "44444444-4444-4444-4444-444444444444"
  address_space                 = "10.20.0.0/20"
  admin_group_object_ids        = ["11111111-1111-1111-1111-111111111111"]
  alert_emails                  = { platform = "platform-team@example.org" }
  jumphost_admin_ssh_public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINMYBAK9ca1Kib0fpTQq/zgpbaCpc824Y9LEAAC0elw6 test"
  dns_zone_name                 = "medqa.example.com"
  repo_url                      = "https://git.example.org/medqa.git"
  argocd                        = { sso_client_id = "bbbbbbbb-0000-0000-0000-000000000000" }
  aks                           = { private_cluster_enabled = false, authorized_ip_ranges = ["203.0.113.0/24"] }
  postgres = {
    entra_admin = {
      object_id      = "11111111-1111-1111-1111-111111111111"
      principal_name = "medqa-platform-admins"
      principal_type = "Group"
    }
  }
}

run "names_and_tags_come_from_the_shared_convention" {
  command = plan

  assert {
    condition     = azurerm_resource_group.this.name == "rg-medqa-dev-weu" && output.aks_name == "aks-medqa-dev-weu"
    error_message = "Names must come from platform/conventions.json."
  }
  assert {
    condition     = alltrue([for k in ["workload", "environment", "owner", "cost_center", "managed_by", "repository"] : contains(keys(azurerm_resource_group.this.tags), k)])
    error_message = "Every required tag must be on the resource group."
  }
  assert {
    condition     = module.argocd_bootstrap.installed
    error_message = "Argo CD is bootstrapped by default."
  }
}

run "the_shared_registry_and_zone_are_found_by_convention" {
  command = plan

  assert {
    condition     = data.azurerm_container_registry.shared.name == "crmedqasharedweu" && data.azurerm_container_registry.shared.resource_group_name == "rg-medqa-shared-weu"
    error_message = "The shared registry is looked up by the shared environment's convention names."
  }
  assert {
    condition     = output.posture.acr.pull_role == "AcrPull" && output.posture.acr.pull_scope == data.azurerm_container_registry.shared.id
    error_message = "The kubelet gets AcrPull on the shared registry."
  }
  assert {
    condition     = azurerm_role_assignment.cert_manager_dns.role_definition_name == "DNS Zone Contributor" && azurerm_role_assignment.cert_manager_dns.scope == data.azurerm_dns_zone.shared.id
    error_message = "cert-manager may write DNS-01 records in the shared zone."
  }
  assert {
    condition     = output.dns_zone_resource_group_name == "rg-medqa-shared-weu" && output.ingress_ip_resource_group == "rg-medqa-dev-weu" && output.ingress_ip_name == "pip-medqa-dev-weu-ingress"
    error_message = "The zone's and the ingress IP's resource groups are outputs."
  }
}

run "argocd_bootstrap_can_be_left_to_the_jump_host" {
  command = plan

  variables {
    argocd = { enabled = false, sso_client_id = "bbbbbbbb-0000-0000-0000-000000000000" }
  }

  assert {
    condition     = !module.argocd_bootstrap.installed
    error_message = "argocd.enabled = false must skip the helm install."
  }
  assert {
    condition     = output.argocd.cluster_registration == { environment = "dev", overlay = "dev" } && output.argocd.cluster_registration_secret_name == "argocd-cluster-registration"
    error_message = "The cluster registration is written to Key Vault even when the jump host installs Argo CD."
  }
}

run "a_registry_with_another_login_server_is_refused" {
  command = plan

  override_data {
    target = data.azurerm_container_registry.shared
    values = { login_server = "elsewhere.azurecr.io" }
  }

  expect_failures = [data.azurerm_container_registry.shared]
}

run "monitoring_jump_host_and_ansible_facts_are_wired" {
  command = plan

  assert {
    condition     = contains(module.monitoring.prometheus_alert_names, "MedQAAskAvailabilityFastBurn") && length(module.monitoring.prometheus_rule_group_names) == 3
    error_message = "The repository's rule files must be deployed as Azure Prometheus rule groups."
  }
  assert {
    condition     = module.monitoring.grafana_name == "amg-medqa-dev-weu"
    error_message = "Managed Grafana is named by the shared convention."
  }
  assert {
    condition     = output.bastion_subnet_cidr == "10.20.8.128/26" && output.key_vault_name == "kvmedqadevweu"
    error_message = "Ansible gets the real Bastion range and the Key Vault Terraform creates."
  }
  assert {
    condition     = output.jumphost_resource_group_name == "rg-medqa-dev-weu" && output.jumphost_vm_name == "vm-medqa-dev-weu"
    error_message = "Ansible gets the jump host's resource group and VM name."
  }
}

run "argocd_without_an_sso_client_is_rejected" {
  command = plan

  variables {
    argocd = {}
  }

  expect_failures = [var.argocd]
}
