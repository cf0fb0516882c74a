# The whole prod environment plans against the real azurerm schema with a mocked provider,
# with the committed terraform.tfvars; the assertions are the prod-only properties of issue #8.

mock_provider "azurerm" {
  # Azure's published AzureFrontDoor.Backend service tag (two of its ranges).
  mock_data "azurerm_network_service_tags" {
    defaults = {
      ipv4_cidrs = ["147.243.0.0/16", "13.73.248.16/29"]
    }
  }
  mock_data "azurerm_client_config" {
    defaults = {
      tenant_id       = "00000000-0000-0000-0000-000000000000"
      object_id       = "44444444-4444-4444-4444-444444444444"
      subscription_id = "00000000-0000-0000-0000-000000000000"
      client_id       = "55555555-5555-5555-5555-555555555555"
    }
  }
  # What environments/shared made (looked up by the convention's names).
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

run "prod_is_private_zone_redundant_and_highly_available" {
  command = plan

  assert {
    condition     = output.posture.aks.private_cluster_enabled && output.posture.aks.local_account_disabled && output.posture.aks.sku_tier == "Standard"
    error_message = "prod: private API server, no local accounts, SLA tier."
  }
  assert {
    condition     = tolist(output.posture.aks.system_zones) == tolist(["1", "2", "3"]) && tolist(output.posture.aks.user_zones) == tolist(["1", "2", "3"])
    error_message = "prod node pools must span three zones."
  }
  assert {
    condition     = output.posture.postgres.high_availability_mode == "ZoneRedundant" && output.posture.postgres.standby_zone != output.posture.postgres.zone
    error_message = "prod PostgreSQL must have a zone-redundant standby."
  }
  assert {
    condition     = output.posture.postgres.geo_redundant_backup_enabled && !output.posture.postgres.public_network_access_enabled
    error_message = "prod PostgreSQL backups are geo-redundant and the server is private."
  }
  assert {
    condition     = output.posture.acr.private_endpoint
    error_message = "prod pulls from the shared registry through a private endpoint in its own VNet."
  }
  assert {
    condition     = !output.posture.keyvault.public_network_access_enabled && output.posture.keyvault.purge_protection_enabled
    error_message = "prod Key Vault is private and purge protected."
  }
  assert {
    condition     = output.posture.edge.waf_mode == "Prevention" && output.posture.edge.waf_enabled && output.posture.edge.sku_name == "Premium_AzureFrontDoor"
    error_message = "prod WAF must block (Prevention) on Front Door Premium."
  }
}

run "prod_pulls_from_the_shared_registry_only" {
  command = plan

  assert {
    condition     = output.acr_login_server == "crmedqasharedweu.azurecr.io" && output.container_registry_id == output.posture.acr.pull_scope
    error_message = "prod has no registry of its own: it uses the shared crmedqasharedweu."
  }
  assert {
    condition     = output.posture.acr.pull_role == "AcrPull" && endswith(output.posture.acr.pull_scope, "/registries/crmedqasharedweu")
    error_message = "The kubelet gets AcrPull on the shared registry."
  }
}

run "prod_ingress_is_reachable_only_from_front_door" {
  command = plan

  assert {
    condition     = output.front_door_backend_cidrs == "147.243.0.0/16,13.73.248.16/29" && output.front_door_backend_cidrs == output.argocd.cluster_registration.front_door_backend_cidrs
    error_message = "front_door_backend_cidrs is the service tag's ranges, comma-separated, exactly as the cluster registration carries them (Pulumi copies it to its dedicated clusters)."
  }

  assert {
    condition     = output.posture.network.aks_inbound_rules["aks-allow-frontdoor-web"].source == "AzureFrontDoor.Backend" && toset(output.posture.network.aks_inbound_rules["aks-allow-frontdoor-web"].ports) == toset(["80", "443"])
    error_message = "The AKS subnet admits 80/443 from the AzureFrontDoor.Backend service tag."
  }
  assert {
    condition     = alltrue([for r in values(output.posture.network.aks_inbound_rules) : r.source == "AzureFrontDoor.Backend" if r.access == "Allow"])
    error_message = "Nothing but Front Door is explicitly allowed into the AKS subnet."
  }
  assert {
    condition     = output.posture.network.aks_inbound_rules["aks-deny-internet-web"].access == "Deny" && output.posture.network.aks_inbound_rules["aks-deny-internet-web"].source == "Internet"
    error_message = "Every other internet source is denied 80/443."
  }
  assert {
    condition     = output.posture.edge.origin_host_name == "origin.prod.medqa.example.com" && output.posture.edge.origin_host_header == "prod.medqa.example.com" && output.posture.edge.certificate_name_check_enabled
    error_message = "Front Door connects to the origin host, asks for the public host and checks the certificate."
  }
  assert {
    condition     = output.posture.edge.health_probe_path == "/healthz" && output.posture.edge.route_patterns == tolist(["/*"]) && !output.posture.edge.caching
    error_message = "Probe /healthz, one route /*, no caching."
  }
  assert {
    condition     = output.posture.aks.acns_security_enabled
    error_message = "Advanced Container Networking Services security must be on (Cilium FQDN policies)."
  }
}

run "prod_identities_federate_only_their_service_accounts" {
  command = plan

  assert {
    condition = output.federated_subjects == {
      app          = tolist(["system:serviceaccount:medqa:medqa"])
      migrate      = tolist(["system:serviceaccount:medqa:medqa-migrate"])
      eso          = tolist(["system:serviceaccount:external-secrets:external-secrets"])
      cert_manager = tolist(["system:serviceaccount:cert-manager:cert-manager"])
      argocd       = tolist(["system:serviceaccount:argocd:argocd-application-controller", "system:serviceaccount:argocd:argocd-server"])
      kyverno      = tolist(["system:serviceaccount:kyverno:kyverno-admission-controller"])
    }
    error_message = "Each identity trusts exactly its service accounts."
  }
  assert {
    condition     = toset(keys(output.posture.postgres.service_principal_admins)) == toset(["migrate"]) && output.posture.postgres.service_principal_admins["migrate"].principal_type == "ServicePrincipal" && output.posture.postgres.service_principal_admins["migrate"].principal_name == "id-medqa-prod-weu-migrate"
    error_message = "Only the migrate identity is a PostgreSQL Entra administrator (type ServicePrincipal, named as the identity); the service identity is not."
  }
  assert {
    condition     = output.key_vault_secrets_to_set == tolist(["argocd-oncall-webhook-url", "gemini-api-key"])
    error_message = "To set out of band: the Gemini key and the Argo CD on-call webhook URL; no database password (Entra token)."
  }
}
