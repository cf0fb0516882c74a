mock_provider "azurerm" {}

variables {
  profile_name        = "afd-medqa-prod-weu"
  waf_policy_name     = "waf-medqa-prod-weu"
  resource_group_name = "rg-medqa-prod-weu"
  origin_host_name    = "ingress.medqa.example.org"
  tags                = { environment = "prod" }
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
    condition     = azurerm_cdn_frontdoor_security_policy.this.security_policies[0].firewall[0].association[0].patterns_to_match == tolist(["/*"])
    error_message = "The WAF must cover every path."
  }
}

run "only_static_assets_are_cached" {
  command = plan

  assert {
    condition     = length(azurerm_cdn_frontdoor_route.static.cache) == 1 && length(azurerm_cdn_frontdoor_route.dynamic.cache) == 0
    error_message = "Only the static route may cache."
  }
  assert {
    condition     = alltrue([for p in azurerm_cdn_frontdoor_route.static.patterns_to_match : p != "/*"])
    error_message = "The cached route must not match everything."
  }
  assert {
    condition     = azurerm_cdn_frontdoor_route.dynamic.forwarding_protocol == "HttpsOnly" && azurerm_cdn_frontdoor_route.dynamic.https_redirect_enabled
    error_message = "Traffic must be HTTPS end to end."
  }
  assert {
    condition     = azurerm_cdn_frontdoor_origin.this.certificate_name_check_enabled
    error_message = "Front Door must check the origin certificate."
  }
}

run "unknown_waf_mode_is_rejected" {
  command = plan

  variables {
    waf_mode = "Off"
  }

  expect_failures = [var.waf_mode]
}
