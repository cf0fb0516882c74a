output "vnet_id" {
  description = "The resource ID of the virtual network."
  value       = azurerm_virtual_network.this.id
}

output "subnet_ids" {
  description = "The subnet IDs keyed by role: aks, postgres, private_endpoints, jumphost, bastion."
  value       = { for k, s in azurerm_subnet.this : k => s.id }
}

output "subnet_prefixes" {
  description = "The subnet address prefixes keyed by role."
  value       = { for k, s in local.subnets : k => s.address_prefix }
}

output "private_dns_zone_ids" {
  description = "The private DNS zone IDs keyed by zone name."
  value       = { for k, z in azurerm_private_dns_zone.this : k => z.id }
}

output "posture" {
  description = "The planned inbound rules of the AKS subnet (access, source, ports, priority), for environment tests."
  value = {
    aks_inbound_rules = {
      for k, r in local.rules : k => {
        access   = r.access
        source   = r.source
        ports    = split(",", r.port)
        priority = r.priority
      } if r.subnet == "aks" && r.direction == "Inbound"
    }
  }
}
