mock_provider "azurerm" {
  # Azure's published AzureFrontDoor.Backend service tag (two of its ranges).
  mock_data "azurerm_network_service_tags" {
    defaults = {
      ipv4_cidrs = ["147.243.0.0/16", "13.73.248.16/29"]
    }
  }
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

run "the_registration_carries_every_add_on_value_from_its_module" {
  command = plan

  assert {
    condition = toset(keys(output.argocd.cluster_registration)) == toset([
      "environment", "overlay", "key_vault_url", "eso_client_id", "cert_manager_client_id", "kyverno_client_id",
      "dns_zone_resource_group", "dns_zone_subscription_id", "ingress_ip_name", "ingress_ip_resource_group",
      "front_door_backend_cidrs",
    ])
    error_message = "The registration has exactly the keys gitops/argocd/secrets/cluster-registration.yaml reads."
  }
  assert {
    condition     = output.argocd.cluster_registration.key_vault_url == "https://kvmedqadevweu.vault.azure.net/" && output.argocd.cluster_registration.key_vault_url == output.gitops_wiring.KEY_VAULT_URL
    error_message = "The platform-keyvault store reads the environment's vault, the one the app's store reads."
  }
  assert {
    condition     = output.argocd.cluster_registration.dns_zone_resource_group == "rg-medqa-shared-weu" && output.argocd.cluster_registration.dns_zone_subscription_id == "00000000-0000-0000-0000-000000000000"
    error_message = "cert-manager's solver names the shared root's zone: its resource group and subscription."
  }
  assert {
    condition     = output.argocd.cluster_registration.ingress_ip_name == "pip-medqa-dev-weu-ingress" && output.argocd.cluster_registration.ingress_ip_resource_group == "rg-medqa-dev-weu"
    error_message = "ingress-nginx asks for the static address the origin A record points at."
  }
  assert {
    condition     = output.argocd.cluster_registration.front_door_backend_cidrs == "147.243.0.0/16,13.73.248.16/29" && data.azurerm_network_service_tags.front_door_backend.service == "AzureFrontDoor.Backend"
    error_message = "The trusted proxy ranges are the AzureFrontDoor.Backend service tag, comma-separated."
  }
}

run "kyverno_reads_signatures_with_its_own_identity" {
  command = plan

  # The principal ID is an apply-time value: give the Kyverno identity a known one.
  override_resource {
    target          = module.identity.azurerm_user_assigned_identity.this["kyverno"]
    override_during = plan
    values = {
      id           = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-dev-weu/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-medqa-dev-weu-kyverno"
      principal_id = "c0000000-0000-0000-0000-00000000000c"
      client_id    = "c1000000-0000-0000-0000-00000000000c"
    }
  }

  assert {
    condition     = output.argocd.cluster_registration.kyverno_client_id == "c1000000-0000-0000-0000-00000000000c"
    error_message = "The registration carries the Kyverno identity's client ID (the admission controller's ServiceAccount annotation)."
  }
  assert {
    condition     = output.federated_subjects.kyverno == tolist(["system:serviceaccount:kyverno:kyverno-admission-controller"]) && module.identity.identities["kyverno"].name == "id-medqa-dev-weu-kyverno"
    error_message = "id-medqa-dev-weu-kyverno trusts only Kyverno's admission controller."
  }
  assert {
    condition     = azurerm_role_assignment.kyverno_acr_pull.role_definition_name == "AcrPull" && azurerm_role_assignment.kyverno_acr_pull.scope == data.azurerm_container_registry.shared.id && azurerm_role_assignment.kyverno_acr_pull.principal_id == "c0000000-0000-0000-0000-00000000000c"
    error_message = "Kyverno may pull (read signatures) from the shared registry, nothing more."
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
    condition     = output.argocd.cluster_registration.environment == "dev" && output.argocd.cluster_registration.overlay == "dev" && output.argocd.cluster_registration_secret_name == "argocd-cluster-registration"
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
