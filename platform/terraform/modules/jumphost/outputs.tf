output "vm_id" {
  description = "The resource ID of the jump host (the --target-resource-id of `az network bastion ssh`)."
  value       = azurerm_linux_virtual_machine.this.id
}

output "vm_name" {
  description = "The name of the jump host VM (the inventory host name)."
  value       = azurerm_linux_virtual_machine.this.name
}

output "resource_group_name" {
  description = "The resource group of the jump host (the inventory's include_vm_resource_groups)."
  value       = azurerm_linux_virtual_machine.this.resource_group_name
}

output "private_ip_address" {
  description = "The private IP address of the jump host (it has no public one)."
  value       = azurerm_linux_virtual_machine.this.private_ip_address
}

output "principal_id" {
  description = "The object ID of the jump host's system-assigned identity."
  value       = azurerm_linux_virtual_machine.this.identity[0].principal_id
}

output "bastion_name" {
  description = "The name of the Azure Bastion host."
  value       = azurerm_bastion_host.this.name
}

output "bastion_subnet_cidr" {
  description = "The AzureBastionSubnet range, the only SSH source the jump host's firewall admits."
  value       = var.bastion_subnet_cidr
}

output "bastion_tunnel_port" {
  description = "The local port of the Bastion tunnel, also the VM tag medqa-bastion-tunnel-port."
  value       = var.bastion_tunnel_port
}

output "key_vault_name" {
  description = "The Key Vault Ansible reads its secrets from."
  value       = var.key_vault_name
}

output "nat_public_ip_address" {
  description = "The jump host subnet's outbound address (for allow-lists of package mirrors or the API server)."
  value       = azurerm_public_ip.nat.ip_address
}

output "ansible_inventory" {
  description = "What Ansible's inventory needs to reach the jump host through a Bastion tunnel."
  value = {
    host                = azurerm_linux_virtual_machine.this.name
    ansible_host        = "127.0.0.1"
    ansible_port        = var.bastion_tunnel_port
    ansible_user        = var.admin_username
    private_ip_address  = azurerm_linux_virtual_machine.this.private_ip_address
    vm_id               = azurerm_linux_virtual_machine.this.id
    bastion_name        = azurerm_bastion_host.this.name
    bastion_subnet_cidr = var.bastion_subnet_cidr
    resource_group_name = azurerm_linux_virtual_machine.this.resource_group_name
    key_vault_name      = var.key_vault_name
    tags                = local.vm_tags
    # Open the tunnel first, then Ansible connects to 127.0.0.1 on the same port.
    tunnel_command = "az network bastion tunnel --name ${azurerm_bastion_host.this.name} --resource-group ${var.resource_group_name} --target-resource-id ${azurerm_linux_virtual_machine.this.id} --resource-port 22 --port ${var.bastion_tunnel_port}"
  }
}
