mock_provider "azurerm" {}

variables {
  name                = "vnet-medqa-dev-weu"
  nsg_name_prefix     = "nsg-medqa-dev-weu"
  resource_group_name = "rg-medqa-dev-weu"
  location            = "westeurope"
  address_space       = "10.20.0.0/20"
  tags                = { environment = "dev" }
}

run "subnets_are_carved_without_overlap" {
  command = plan

  assert {
    condition = output.subnet_prefixes == {
      aks               = "10.20.0.0/21"
      postgres          = "10.20.8.0/27"
      private_endpoints = "10.20.8.32/27"
      jumphost          = "10.20.8.64/27"
      bastion           = "10.20.8.128/26"
    }
    error_message = "Subnet layout changed: check for overlaps before updating this test."
  }
  assert {
    condition     = azurerm_subnet.this["bastion"].name == "AzureBastionSubnet"
    error_message = "Azure Bastion needs a subnet named AzureBastionSubnet."
  }
  assert {
    condition     = azurerm_subnet.this["postgres"].delegation[0].service_delegation[0].name == "Microsoft.DBforPostgreSQL/flexibleServers"
    error_message = "The PostgreSQL subnet must be delegated to flexible servers."
  }
  assert {
    condition     = !azurerm_subnet.this["jumphost"].default_outbound_access_enabled && !azurerm_subnet.this["postgres"].default_outbound_access_enabled
    error_message = "Only the AKS subnet may have default outbound access."
  }
}

run "nsgs_deny_by_default" {
  command = plan

  assert {
    condition     = alltrue([for s in ["postgres", "private-endpoints", "jumphost"] : azurerm_network_security_rule.this["${s}-deny-all"].access == "Deny" && azurerm_network_security_rule.this["${s}-deny-all"].source_address_prefix == "*"])
    error_message = "The PostgreSQL, private endpoint and jump host subnets must end with a deny-all inbound rule."
  }
  assert {
    condition     = azurerm_network_security_rule.this["jumphost-allow-bastion-ssh"].source_address_prefix == "10.20.8.128/26" && azurerm_network_security_rule.this["jumphost-allow-bastion-ssh"].destination_port_range == "22"
    error_message = "SSH to the jump host must come only from the Bastion subnet."
  }
  assert {
    condition     = azurerm_network_security_rule.this["postgres-allow-aks"].source_address_prefix == "10.20.0.0/21" && azurerm_network_security_rule.this["postgres-allow-aks"].destination_port_range == "5432"
    error_message = "PostgreSQL must accept only 5432 from the node subnet (and the jump host)."
  }
  assert {
    condition     = length(azurerm_subnet_network_security_group_association.this) == 4 && !contains(keys(azurerm_subnet_network_security_group_association.this), "bastion")
    error_message = "Every subnet except AzureBastionSubnet gets an NSG."
  }
}

run "only_front_door_reaches_the_ingress" {
  command = plan

  assert {
    condition = (
      azurerm_network_security_rule.this["aks-allow-frontdoor-web"].access == "Allow"
      && azurerm_network_security_rule.this["aks-allow-frontdoor-web"].source_address_prefix == "AzureFrontDoor.Backend"
      && toset(azurerm_network_security_rule.this["aks-allow-frontdoor-web"].destination_port_ranges) == toset(["80", "443"])
    )
    error_message = "The AKS subnet must admit 80/443 from the AzureFrontDoor.Backend service tag."
  }
  assert {
    condition = (
      azurerm_network_security_rule.this["aks-deny-internet-web"].access == "Deny"
      && azurerm_network_security_rule.this["aks-deny-internet-web"].source_address_prefix == "Internet"
      && toset(azurerm_network_security_rule.this["aks-deny-internet-web"].destination_port_ranges) == toset(["80", "443"])
      && azurerm_network_security_rule.this["aks-deny-internet-web"].priority > azurerm_network_security_rule.this["aks-allow-frontdoor-web"].priority
    )
    error_message = "Every other internet source must be denied 80/443 after the Front Door rule."
  }
  assert {
    condition = alltrue([
      for k, r in azurerm_network_security_rule.this : r.source_address_prefix == "AzureFrontDoor.Backend"
      if r.network_security_group_name == azurerm_network_security_group.this["aks"].name && r.access == "Allow"
    ])
    error_message = "No other source may be allowed into the AKS subnet by an explicit rule."
  }
}

run "small_address_space_is_rejected" {
  command = plan

  variables {
    address_space = "10.20.0.0/24"
  }

  expect_failures = [var.address_space]
}
