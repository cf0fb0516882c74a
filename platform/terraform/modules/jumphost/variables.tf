variable "name" {
  type        = string
  description = "The name of the jump host virtual machine."
}

variable "bastion_name" {
  type        = string
  description = "The name of the Azure Bastion host."
}

variable "public_ip_name" {
  type        = string
  description = "The name of Azure Bastion's public IP (the jump host itself gets none)."
}

variable "resource_group_name" {
  type        = string
  description = "The name of the resource group that holds the jump host and Bastion."
}

variable "location" {
  type        = string
  description = "The Azure region of the jump host and Bastion."
}

variable "subnet_id" {
  type        = string
  description = "The jump host's own subnet; the module attaches its NAT gateway to it."
}

variable "nat_gateway_name" {
  type        = string
  description = "The name of the NAT gateway that gives the jump host subnet its outbound path."
}

variable "nat_public_ip_name" {
  type        = string
  description = "The name of the NAT gateway's static public IP (the jump host's outbound address)."
}

variable "bastion_subnet_cidr" {
  type        = string
  description = "The address range of the AzureBastionSubnet, the only source the jump host accepts SSH from (Ansible's nftables rule)."

  validation {
    condition     = can(cidrhost(var.bastion_subnet_cidr, 0))
    error_message = "The bastion_subnet_cidr must be a CIDR range such as 10.20.8.128/26."
  }
}

variable "key_vault_name" {
  type        = string
  description = "The environment's Key Vault that Ansible reads its secrets from (the Grafana dashboards token)."
}

variable "bastion_tunnel_port" {
  type        = number
  default     = 50022
  description = "The local port of this VM's Bastion tunnel, tagged on the VM for the Ansible inventory (medqa-bastion-tunnel-port)."

  validation {
    condition     = var.bastion_tunnel_port >= 1024 && var.bastion_tunnel_port <= 65535 && floor(var.bastion_tunnel_port) == var.bastion_tunnel_port
    error_message = "The bastion_tunnel_port must be an unprivileged port (1024 to 65535)."
  }
}

variable "bastion_subnet_id" {
  type        = string
  description = "The AzureBastionSubnet of the virtual network."
}

variable "vm_size" {
  type        = string
  default     = "Standard_B2s"
  description = "The VM size of the jump host (it only runs SSH sessions and Ansible)."
}

variable "zone" {
  type        = string
  default     = "1"
  description = "The availability zone of the jump host and its NAT gateway; null places both without a zone."
}

variable "admin_username" {
  type        = string
  default     = "medqaops"
  description = "The local administrator user name (SSH key only; day-to-day logins use Entra ID)."
}

variable "admin_ssh_public_key" {
  type        = string
  description = "The OpenSSH public key of the break-glass administrator (the private key never touches Terraform)."

  validation {
    condition     = can(regex("^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256) [A-Za-z0-9+/=]+", var.admin_ssh_public_key))
    error_message = "The admin_ssh_public_key must be an OpenSSH public key (ssh-ed25519, ssh-rsa or ecdsa-sha2-nistp256)."
  }
}

variable "login_principal_ids" {
  type        = map(string)
  default     = {}
  description = "The Entra ID principals (usually groups) allowed to log in with Entra ID, keyed by a stable label; they get Virtual Machine Administrator Login."
}

variable "bastion_sku" {
  type        = string
  default     = "Standard"
  description = "The Bastion SKU: Standard or Premium (native SSH client tunnelling needs at least Standard)."

  validation {
    condition     = contains(["Standard", "Premium"], var.bastion_sku)
    error_message = "The bastion_sku must be Standard or Premium."
  }
}

variable "tags" {
  type        = map(string)
  description = "The tags applied to every resource (from the naming module)."
}
