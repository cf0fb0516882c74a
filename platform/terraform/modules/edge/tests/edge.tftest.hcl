mock_provider "azurerm" {}

variables {
  profile_name                 = "afd-medqa-prod-weu"
  waf_policy_name              = "waf-medqa-prod-weu"
  resource_group_name          = "rg-medqa-prod-weu"
  host_label                   = "prod"
  dns_zone_name                = "medqa.example.com"
  dns_zone_id                  = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-shared-weu/providers/Microsoft.Network/dnsZones/medqa.example.com"
  dns_zone_resource_group_name = "rg-medqa-shared-weu"
  ingress_ip_id                = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-prod-weu/providers/Microsoft.Network/publicIPAddresses/pip-medqa-prod-weu-ingress"
  tags                         = { environment = "prod" }
}

run "waf_blocks_in_prevention_mode" {
  command = plan

  assert {
    condition     = azurerm_cdn_frontdoor_firewall_policy.this.mode == "Prevention" && azurerm_cdn_frontdoor_firewall_policy.this.enabled
    error_message = "The WAF must be enabled in Prevention mode."
  }
  assert {
    condition     = azurerm_cdn_frontdoor_profile.this.sku_name == "Premium_AzureFrontDoor" && azurerm_cdn_frontdoor_firewall_policy.this.sku_name == "Premium_AzureFrontDoor"
    error_message = "Managed rule sets need Front Door Premium."
  }
  assert {
    condition     = toset([for r in azurerm_cdn_frontdoor_firewall_policy.this.managed_rule : r.type]) == toset(["Microsoft_DefaultRuleSet", "Microsoft_BotManagerRuleSet"])
    error_message = "The default and bot manager rule sets must be on."
  }
  assert {
    condition     = one([for r in azurerm_cdn_frontdoor_firewall_policy.this.custom_rule : r if r.type == "RateLimitRule"]).action == "Block"
    error_message = "A rate limit rule must block excess requests."
  }
  assert {
    condition     = azurerm_cdn_frontdoor_firewall_policy.this.name == "wafmedqaprodweu"
    error_message = "Front Door WAF policy names are alphanumeric."
  }
  assert {
    condition     = azurerm_cdn_frontdoor_security_policy.this.security_policies[0].firewall[0].association[0].patterns_to_match == tolist(["/*"]) && length(azurerm_cdn_frontdoor_security_policy.this.security_policies[0].firewall[0].association[0].domain) == 2
    error_message = "The WAF must cover every path of the custom domain and the endpoint."
  }
}

run "origin_is_the_origin_host_asked_for_the_public_host" {
  command = plan

  assert {
    condition     = azurerm_cdn_frontdoor_origin.this.host_name == "origin.prod.medqa.example.com"
    error_message = "Front Door must connect to origin.<env>.<zone>."
  }
  assert {
    condition     = azurerm_cdn_frontdoor_origin.this.origin_host_header == "prod.medqa.example.com"
    error_message = "Front Door must ask the ingress for the public host (the Ingress rule's host)."
  }
  assert {
    condition     = azurerm_cdn_frontdoor_origin.this.certificate_name_check_enabled
    error_message = "Front Door must check the origin certificate."
  }
  assert {
    condition     = azurerm_cdn_frontdoor_origin_group.this.health_probe[0].path == "/healthz" && azurerm_cdn_frontdoor_origin_group.this.health_probe[0].protocol == "Https"
    error_message = "Front Door probes /healthz over HTTPS."
  }
  assert {
    condition     = output.public_host == "prod.medqa.example.com" && output.origin_host == "origin.prod.medqa.example.com"
    error_message = "The host names must be known at plan time."
  }
}

run "custom_domain_has_a_managed_certificate_validated_in_the_zone" {
  command = plan

  assert {
    condition     = azurerm_cdn_frontdoor_custom_domain.this.host_name == "prod.medqa.example.com" && azurerm_cdn_frontdoor_custom_domain.this.tls[0].certificate_type == "ManagedCertificate" && azurerm_cdn_frontdoor_custom_domain.this.tls[0].minimum_version == "TLS12"
    error_message = "The public host is a custom domain with a managed certificate, TLS 1.2 or newer."
  }
  assert {
    condition     = azurerm_dns_txt_record.validation.name == "_dnsauth.prod" && azurerm_dns_txt_record.validation.resource_group_name == "rg-medqa-shared-weu"
    error_message = "Domain validation is a _dnsauth TXT record in the shared zone."
  }
  assert {
    condition     = azurerm_dns_cname_record.public.name == "prod" && azurerm_dns_cname_record.public.zone_name == "medqa.example.com"
    error_message = "The public host is a CNAME to the Front Door endpoint in the shared zone."
  }
  assert {
    condition     = azurerm_dns_a_record.origin.name == "origin.prod" && azurerm_dns_a_record.origin.target_resource_id == var.ingress_ip_id
    error_message = "The origin host is an alias A record of the ingress public IP."
  }
  assert {
    condition     = length(azurerm_cdn_frontdoor_custom_domain_association.this.cdn_frontdoor_route_ids) == 1
    error_message = "The custom domain is associated with the one route."
  }
}

run "one_https_route_and_no_cache" {
  command = plan

  assert {
    condition     = azurerm_cdn_frontdoor_route.this.patterns_to_match == tolist(["/*"])
    error_message = "One route serves every path (the Ingress decides what exists)."
  }
  assert {
    condition     = length(azurerm_cdn_frontdoor_route.this.cache) == 0
    error_message = "No caching: a cache would also keep the origin's 404s."
  }
  assert {
    condition     = azurerm_cdn_frontdoor_route.this.forwarding_protocol == "HttpsOnly" && azurerm_cdn_frontdoor_route.this.https_redirect_enabled
    error_message = "Traffic must be HTTPS end to end."
  }
  assert {
    condition     = !azurerm_cdn_frontdoor_route.this.link_to_default_domain
    error_message = "Only the custom domain serves the app."
  }
}

run "unknown_waf_mode_is_rejected" {
  command = plan

  variables {
    waf_mode = "Off"
  }

  expect_failures = [var.waf_mode]
}

run "host_label_must_be_one_dns_label" {
  command = plan

  variables {
    host_label = "prod.eu"
  }

  expect_failures = [var.host_label]
}
