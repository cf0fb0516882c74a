variable "environment" {
  type        = string
  description = "The environment short name (dev, prod, ...), one of the environments listed in platform/conventions.json."

  validation {
    condition     = contains(jsondecode(file("${path.module}/../../../conventions.json")).environments, var.environment)
    error_message = "The environment must be one of the environments listed in platform/conventions.json."
  }
}

variable "location" {
  type        = string
  description = "The Azure region (for example westeurope); it must have a short code in platform/conventions.json."

  validation {
    condition     = contains(keys(jsondecode(file("${path.module}/../../../conventions.json")).regions), var.location)
    error_message = "The location must be one of the regions listed in platform/conventions.json."
  }
}

variable "owner" {
  type        = string
  description = "The team or person accountable for the resources, written into the owner tag."

  validation {
    condition     = length(trimspace(var.owner)) > 0
    error_message = "The owner tag must not be empty."
  }
}

variable "cost_center" {
  type        = string
  description = "The cost center that pays for the resources, written into the cost_center tag."

  validation {
    condition     = length(trimspace(var.cost_center)) > 0
    error_message = "The cost_center tag must not be empty."
  }
}

variable "expires_on" {
  type        = string
  default     = null
  description = "The date (YYYY-MM-DD) after which a short-lived environment may be deleted; required outside the long-lived environments."

  validation {
    condition     = var.expires_on == null || can(regex("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", var.expires_on))
    error_message = "The expires_on tag must be a date in the form YYYY-MM-DD."
  }
}

variable "extra_tags" {
  type        = map(string)
  default     = {}
  description = "Additional tags merged under the required ones; they cannot override a required tag."
}
