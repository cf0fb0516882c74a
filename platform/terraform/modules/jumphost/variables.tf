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
  description = "The jump host's own subnet."
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
  description = "The availability zone of the jump host."
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
