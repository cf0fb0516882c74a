mock_provider "azurerm" {}

# The VM's ID is fixed during plan so that the tunnel command can be compared as a string.
override_resource {
  target          = azurerm_linux_virtual_machine.this
  override_during = plan
  values = {
    id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-dev-weu/providers/Microsoft.Compute/virtualMachines/vm-medqa-dev-weu"
  }
}

variables {
  name                 = "vm-medqa-dev-weu"
  bastion_name         = "bas-medqa-dev-weu"
  public_ip_name       = "pip-medqa-dev-weu-bastion"
  resource_group_name  = "rg-medqa-dev-weu"
  location             = "westeurope"
  subnet_id            = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-dev-weu/providers/Microsoft.Network/virtualNetworks/vnet-medqa-dev-weu/subnets/snet-jumphost"
  nat_gateway_name     = "ng-medqa-dev-weu"
  nat_public_ip_name   = "pip-medqa-dev-weu-nat"
  bastion_subnet_cidr  = "10.20.8.128/26"
  key_vault_name       = "kvmedqadevweu"
  bastion_subnet_id    = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-dev-weu/providers/Microsoft.Network/virtualNetworks/vnet-medqa-dev-weu/subnets/AzureBastionSubnet"
  admin_ssh_public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINMYBAK9ca1Kib0fpTQq/zgpbaCpc824Y9LEAAC0elw6 test"
  login_principal_ids  = { admins = "11111111-1111-1111-1111-111111111111" }
  tags                 = { environment = "dev" }
}

run "jump_host_is_private_key_only_with_entra_login" {
  command = plan

  assert {
    condition     = azurerm_network_interface.this.ip_configuration[0].public_ip_address_id == null
    error_message = "The jump host must have no public IP."
  }
  assert {
    condition     = azurerm_linux_virtual_machine.this.disable_password_authentication && azurerm_linux_virtual_machine.this.admin_password == null
    error_message = "SSH keys only: no password."
  }
  assert {
    condition     = azurerm_virtual_machine_extension.entra_login.type == "AADSSHLoginForLinux"
    error_message = "Entra ID login must be installed."
  }
  assert {
    condition     = azurerm_role_assignment.login["admins"].role_definition_name == "Virtual Machine Administrator Login"
    error_message = "Operators log in through an Entra ID role."
  }
  assert {
    condition     = azurerm_network_interface.this.ip_configuration[0].subnet_id == var.subnet_id
    error_message = "The jump host lives in its own subnet."
  }
  assert {
    condition     = azurerm_bastion_host.this.tunneling_enabled && azurerm_bastion_host.this.ip_configuration[0].subnet_id == var.bastion_subnet_id
    error_message = "Bastion must allow native SSH tunnels from the AzureBastionSubnet."
  }
  assert {
    condition     = output.ansible_inventory.ansible_user == "medqaops" && output.ansible_inventory.host == "vm-medqa-dev-weu"
    error_message = "The inventory output must carry the user and host."
  }
}

run "jump_host_subnet_has_a_nat_outbound_path" {
  command = plan

  assert {
    condition     = azurerm_subnet_nat_gateway_association.this.subnet_id == var.subnet_id
    error_message = "The jump host subnet must be attached to the NAT gateway (its only outbound path)."
  }
  assert {
    condition     = azurerm_public_ip.nat.allocation_method == "Static" && azurerm_public_ip.nat.sku == "Standard"
    error_message = "The NAT gateway needs a static Standard public IP."
  }
  assert {
    condition     = azurerm_nat_gateway.this.sku_name == "Standard" && azurerm_nat_gateway.this.name == "ng-medqa-dev-weu"
    error_message = "A Standard NAT gateway named by the convention."
  }
  assert {
    condition     = tolist(azurerm_nat_gateway.this.zones) == tolist(azurerm_public_ip.nat.zones) && tolist(azurerm_nat_gateway.this.zones) == tolist([var.zone])
    error_message = "The NAT gateway and its address sit in the jump host's zone."
  }
  assert {
    condition     = azurerm_network_interface.this.ip_configuration[0].public_ip_address_id == null
    error_message = "The outbound path must not give the VM itself a public address."
  }
}

run "inventory_facts_match_what_ansible_reads" {
  command = plan

  assert {
    condition     = azurerm_linux_virtual_machine.this.tags["medqa-role"] == "jump-host" && azurerm_linux_virtual_machine.this.tags["medqa-bastion-tunnel-port"] == "50022"
    error_message = "The azure_rm inventory selects VMs tagged medqa-role=jump-host and reads their tunnel port tag."
  }
  assert {
    condition     = azurerm_linux_virtual_machine.this.tags["environment"] == "dev"
    error_message = "The convention's tags stay on the VM."
  }
  assert {
    condition     = output.resource_group_name == "rg-medqa-dev-weu" && output.vm_name == "vm-medqa-dev-weu"
    error_message = "The inventory reads the VM's resource group and name."
  }
  assert {
    condition     = output.bastion_subnet_cidr == "10.20.8.128/26" && output.key_vault_name == "kvmedqadevweu"
    error_message = "Ansible's nftables rule needs the Bastion range; its secret lookups need the Key Vault."
  }
  assert {
    condition     = output.ansible_inventory.ansible_port == 50022 && endswith(output.ansible_inventory.tunnel_command, "--resource-port 22 --port 50022")
    error_message = "The tunnel command opens the port the VM tag names."
  }
}

run "privileged_tunnel_port_is_rejected" {
  command = plan

  variables {
    bastion_tunnel_port = 22
  }

  expect_failures = [var.bastion_tunnel_port]
}

run "malformed_bastion_range_is_rejected" {
  command = plan

  variables {
    bastion_subnet_cidr = "10.20.1.0"
  }

  expect_failures = [var.bastion_subnet_cidr]
}

run "password_or_garbage_key_is_rejected" {
  command = plan

  variables {
    admin_ssh_public_key = "hunter2"
  }

  expect_failures = [var.admin_ssh_public_key]
}
