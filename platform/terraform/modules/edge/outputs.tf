output "endpoint_host_name" {
  description = "The Front Door host name that clients use (or that a custom domain CNAMEs to)."
  value       = azurerm_cdn_frontdoor_endpoint.this.host_name
}

output "frontdoor_id" {
  description = "The Front Door ID (resource GUID): the ingress must accept only requests whose X-Azure-FDID header equals it."
  value       = azurerm_cdn_frontdoor_profile.this.resource_guid
}

output "waf_policy_id" {
  description = "The resource ID of the WAF policy."
  value       = azurerm_cdn_frontdoor_firewall_policy.this.id
}

output "posture" {
  description = "The planned WAF settings (mode, SKU), for environment tests."
  value = {
    waf_mode    = azurerm_cdn_frontdoor_firewall_policy.this.mode
    waf_enabled = azurerm_cdn_frontdoor_firewall_policy.this.enabled
    sku_name    = azurerm_cdn_frontdoor_profile.this.sku_name
  }
}
