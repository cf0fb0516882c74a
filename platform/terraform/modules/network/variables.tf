variable "name" {
  type        = string
  description = "The name of the virtual network."
}

variable "nsg_name_prefix" {
  type        = string
  description = "The prefix of the network security group names; the subnet role is appended (for example nsg-medqa-dev-weu-aks)."
}

variable "resource_group_name" {
  type        = string
  description = "The name of the resource group that holds the network."
}

variable "location" {
  type        = string
  description = "The Azure region of the network."
}

variable "address_space" {
  type        = string
  description = "The address space of the virtual network as one CIDR block (at least a /20 so every subnet fits)."

  validation {
    condition     = can(cidrhost(var.address_space, 0)) && tonumber(split("/", var.address_space)[1]) <= 20
    error_message = "The address_space must be a CIDR block of size /20 or larger."
  }
}

variable "private_dns_zones" {
  type        = set(string)
  default     = ["privatelink.vaultcore.azure.net", "privatelink.azurecr.io"]
  description = "The private DNS zones created and linked to the virtual network for private endpoints and the PostgreSQL server."
}

variable "tags" {
  type        = map(string)
  description = "The tags applied to every resource (from the naming module)."
}
