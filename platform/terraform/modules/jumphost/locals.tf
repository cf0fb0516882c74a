locals {
  # The Ansible inventories (azure_rm plugin) select running VMs by medqa-role and read the local
  # end of each VM's Bastion tunnel from medqa-bastion-tunnel-port.
  vm_tags = merge(var.tags, {
    "medqa-role"                = "jump-host"
    "medqa-bastion-tunnel-port" = tostring(var.bastion_tunnel_port)
  })

  zones = var.zone == null ? null : [var.zone]
}
