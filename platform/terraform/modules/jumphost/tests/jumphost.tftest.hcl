mock_provider "azurerm" {}

variables {
  name                 = "vm-medqa-dev-weu"
  bastion_name         = "bas-medqa-dev-weu"
  public_ip_name       = "pip-medqa-dev-weu-bastion"
  resource_group_name  = "rg-medqa-dev-weu"
  location             = "westeurope"
  subnet_id            = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-dev-weu/providers/Microsoft.Network/virtualNetworks/vnet-medqa-dev-weu/subnets/snet-jumphost"
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

run "password_or_garbage_key_is_rejected" {
  command = plan

  variables {
    admin_ssh_public_key = "hunter2"
  }

  expect_failures = [var.admin_ssh_public_key]
}
