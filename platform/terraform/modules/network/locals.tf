locals {
  # Carve every subnet out of the one address space so environments only choose that block.
  # Offsets are absolute from the start of the block: aks .0.0/21, postgres .8.0/27,
  # private endpoints .8.32/27, jump host .8.64/27, bastion .8.128/26.
  prefix_length = tonumber(split("/", var.address_space)[1])

  subnets = {
    aks = {
      name           = "snet-aks"
      address_prefix = cidrsubnet(var.address_space, 21 - local.prefix_length, 0)
      delegation     = null
    }
    postgres = {
      name           = "snet-postgres"
      address_prefix = cidrsubnet(var.address_space, 27 - local.prefix_length, 64)
      delegation     = "Microsoft.DBforPostgreSQL/flexibleServers"
    }
    private_endpoints = {
      name           = "snet-private-endpoints"
      address_prefix = cidrsubnet(var.address_space, 27 - local.prefix_length, 65)
      delegation     = null
    }
    jumphost = {
      name           = "snet-jumphost"
      address_prefix = cidrsubnet(var.address_space, 27 - local.prefix_length, 66)
      delegation     = null
    }
    bastion = {
      # Azure requires this exact name and at least a /26 for Azure Bastion.
      name           = "AzureBastionSubnet"
      address_prefix = cidrsubnet(var.address_space, 26 - local.prefix_length, 34)
      delegation     = null
    }
  }

  # Azure Bastion manages its own subnet rules; every other subnet gets an NSG.
  nsg_subnets = toset(["aks", "postgres", "private_endpoints", "jumphost"])

  # Explicit rules per subnet; each NSG ends with a deny-all inbound except the AKS one,
  # whose load balancer and node traffic AKS manages itself. `port` is one port or a
  # comma-separated list.
  rules = {
    postgres-allow-aks = {
      subnet = "postgres", priority = 100, direction = "Inbound", access = "Allow", protocol = "Tcp"
      source = local.subnets.aks.address_prefix, port = "5432"
    }
    postgres-allow-jumphost = {
      subnet = "postgres", priority = 110, direction = "Inbound", access = "Allow", protocol = "Tcp"
      source = local.subnets.jumphost.address_prefix, port = "5432"
    }
    postgres-deny-all = {
      subnet = "postgres", priority = 4096, direction = "Inbound", access = "Deny", protocol = "*"
      source = "*", port = "*"
    }
    private-endpoints-allow-vnet = {
      subnet = "private_endpoints", priority = 100, direction = "Inbound", access = "Allow", protocol = "Tcp"
      source = "VirtualNetwork", port = "443"
    }
    private-endpoints-deny-all = {
      subnet = "private_endpoints", priority = 4096, direction = "Inbound", access = "Deny", protocol = "*"
      source = "*", port = "*"
    }
    jumphost-allow-bastion-ssh = {
      subnet = "jumphost", priority = 100, direction = "Inbound", access = "Allow", protocol = "Tcp"
      source = local.subnets.bastion.address_prefix, port = "22"
    }
    jumphost-deny-all = {
      subnet = "jumphost", priority = 4096, direction = "Inbound", access = "Deny", protocol = "*"
      source = "*", port = "*"
    }
    aks-deny-internet-ssh = {
      subnet = "aks", priority = 100, direction = "Inbound", access = "Deny", protocol = "Tcp"
      source = "Internet", port = "22"
    }
    # The ingress load balancer is public, but only Front Door may reach it: the WAF cannot be
    # bypassed. The app also checks X-Azure-FDID, because the service tag covers every Front Door.
    aks-allow-frontdoor-web = {
      subnet = "aks", priority = 200, direction = "Inbound", access = "Allow", protocol = "Tcp"
      source = "AzureFrontDoor.Backend", port = "80,443"
    }
    aks-deny-internet-web = {
      subnet = "aks", priority = 210, direction = "Inbound", access = "Deny", protocol = "*"
      source = "Internet", port = "80,443"
    }
  }
}
