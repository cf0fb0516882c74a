output "endpoint_host_name" {
  description = "The Front Door endpoint's azurefd.net host name, the target of the public CNAME."
  value       = azurerm_cdn_frontdoor_endpoint.this.host_name
}

output "endpoint_name" {
  description = "The name of the Front Door endpoint."
  value       = azurerm_cdn_frontdoor_endpoint.this.name
}

output "profile_name" {
  description = "The name of the Front Door profile."
  value       = azurerm_cdn_frontdoor_profile.this.name
}

output "frontdoor_id" {
  description = "The Front Door ID (resource GUID): the app accepts only requests whose X-Azure-FDID header equals it."
  value       = azurerm_cdn_frontdoor_profile.this.resource_guid
}

output "public_host" {
  description = "The public host name (the Front Door custom domain), known at plan time."
  value       = azurerm_cdn_frontdoor_custom_domain.this.host_name
}

output "origin_host" {
  description = "The origin host name Front Door connects to (the A record of the ingress IP), known at plan time."
  value       = azurerm_cdn_frontdoor_origin.this.host_name
}

output "waf_policy_id" {
  description = "The resource ID of the WAF policy."
  value       = azurerm_cdn_frontdoor_firewall_policy.this.id
}

output "posture" {
  description = "The planned edge settings (WAF mode, SKU, origin host and host header, certificate check, caching), for environment tests."
  value = {
    waf_mode                       = azurerm_cdn_frontdoor_firewall_policy.this.mode
    waf_enabled                    = azurerm_cdn_frontdoor_firewall_policy.this.enabled
    sku_name                       = azurerm_cdn_frontdoor_profile.this.sku_name
    origin_host_name               = azurerm_cdn_frontdoor_origin.this.host_name
    origin_host_header             = azurerm_cdn_frontdoor_origin.this.origin_host_header
    certificate_name_check_enabled = azurerm_cdn_frontdoor_origin.this.certificate_name_check_enabled
    health_probe_path              = azurerm_cdn_frontdoor_origin_group.this.health_probe[0].path
    route_patterns                 = azurerm_cdn_frontdoor_route.this.patterns_to_match
    caching                        = length(azurerm_cdn_frontdoor_route.this.cache) > 0
  }
}
