# Records in the shared public zone (environments/shared): domain validation and the public CNAME
# for Front Door, and the origin A record that Front Door (and the certificate's DNS-01) resolves.

resource "azurerm_dns_txt_record" "validation" {
  name                = "_dnsauth.${var.host_label}"
  zone_name           = var.dns_zone_name
  resource_group_name = var.dns_zone_resource_group_name
  ttl                 = 3600
  tags                = var.tags

  record {
    value = azurerm_cdn_frontdoor_custom_domain.this.validation_token
  }
}

resource "azurerm_dns_cname_record" "public" {
  name                = var.host_label
  zone_name           = var.dns_zone_name
  resource_group_name = var.dns_zone_resource_group_name
  ttl                 = 3600
  record              = azurerm_cdn_frontdoor_endpoint.this.host_name
  tags                = var.tags

  # The name every other layer derives must be the one Azure DNS serves.
  lifecycle {
    postcondition {
      condition     = trimsuffix(self.fqdn, ".") == local.public_host
      error_message = "The public CNAME does not serve the derived public host."
    }
  }

  depends_on = [azurerm_cdn_frontdoor_route.this]
}

# An alias record: it follows the public IP resource, so a re-created address cannot leave it stale.
resource "azurerm_dns_a_record" "origin" {
  name                = "origin.${var.host_label}"
  zone_name           = var.dns_zone_name
  resource_group_name = var.dns_zone_resource_group_name
  ttl                 = 300
  target_resource_id  = var.ingress_ip_id
  tags                = var.tags

  lifecycle {
    postcondition {
      condition     = trimsuffix(self.fqdn, ".") == local.origin_host
      error_message = "The origin A record does not serve the derived origin host."
    }
  }
}
