variable "subscription_id" {
  type        = string
  description = "The subscription the shared resources are deployed to."
}

variable "location" {
  type        = string
  description = "The Azure region of the shared resources (the environments' shared_location)."
}

variable "owner" {
  type        = string
  description = "The team accountable for the shared resources (owner tag)."
}

variable "cost_center" {
  type        = string
  description = "The cost center that pays for the shared resources (cost_center tag)."
}

variable "dns_zone_name" {
  type        = string
  description = "The public DNS zone of the environments' hosts (<env>.<zone>); delegate it from the parent domain to the zone's name servers."

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.dns_zone_name))
    error_message = "The dns_zone_name must be a lower-case DNS name such as medqa.example.com."
  }
}

variable "github_repository" {
  type        = string
  description = "The GitHub repository (owner/name) whose release workflow pushes images."

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "The github_repository must be owner/name."
  }
}

variable "github_release_subjects" {
  type        = list(string)
  default     = ["environment:release"]
  description = "The GitHub OIDC subjects (after repo:<owner>/<name>:) allowed to push: environment:<name> or ref:refs/heads/<branch>."

  validation {
    condition     = length(var.github_release_subjects) > 0 && alltrue([for s in var.github_release_subjects : can(regex("^(environment:[A-Za-z0-9_.-]+|ref:refs/heads/[A-Za-z0-9_./-]+)$", s))])
    error_message = "Each subject must be environment:<name> or ref:refs/heads/<branch> (never a pull request or a wildcard)."
  }
}

variable "terraform_roots" {
  type        = list(string)
  default     = ["shared", "dev", "staging", "prod"]
  description = "The roots the Terraform workflow plans and applies (its matrix); each gets a plan and an apply identity federated with the GitHub environments terraform-plan-<root> and terraform-<root>."

  validation {
    condition     = length(var.terraform_roots) > 0 && alltrue([for r in var.terraform_roots : can(regex("^[a-z][a-z0-9-]{1,30}$", r))])
    error_message = "Each Terraform root must be a short lower-case name such as shared, dev, staging or prod."
  }
}

variable "state_storage" {
  type = object({
    resource_group_name = string
    account_name        = string
    container_name      = string
  })
  default = {
    resource_group_name = "rg-medqa-tfstate-weu"
    account_name        = "stmedqatfstateweu"
    container_name      = "tfstate"
  }
  description = "The Terraform state container (bootstrap/azuredeploy.json, the roots' backend blocks), in this subscription; the workflow identities may read and lease its blobs."
}
