output "vm_id" {
  description = "The resource ID of the jump host (the --target-resource-id of `az network bastion ssh`)."
  value       = azurerm_linux_virtual_machine.this.id
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

output "ansible_inventory" {
  description = "What Ansible's inventory needs to reach the jump host through a Bastion tunnel."
  value = {
    host                = azurerm_linux_virtual_machine.this.name
    ansible_host        = azurerm_linux_virtual_machine.this.private_ip_address
    ansible_user        = var.admin_username
    vm_id               = azurerm_linux_virtual_machine.this.id
    bastion_name        = azurerm_bastion_host.this.name
    resource_group_name = var.resource_group_name
    # Open the tunnel first, then point Ansible at 127.0.0.1:2222.
    tunnel_command = "az network bastion tunnel --name ${azurerm_bastion_host.this.name} --resource-group ${var.resource_group_name} --target-resource-id ${azurerm_linux_virtual_machine.this.id} --resource-port 22 --port 2222"
  }
}
