variable "profile_name" {
  type        = string
  description = "The name of the Front Door profile."
}

variable "waf_policy_name" {
  type        = string
  description = "The name of the WAF policy; dashes are removed because Front Door WAF names are alphanumeric."
}

variable "resource_group_name" {
  type        = string
  description = "The name of the resource group that holds the Front Door resources."
}

variable "host_label" {
  type        = string
  description = "The environment's label in the zone: <label>.<zone> is the public host, origin.<label>.<zone> the origin host."

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", var.host_label))
    error_message = "The host_label must be one DNS label (lower-case letters, digits and dashes)."
  }
}

variable "dns_zone_name" {
  type        = string
  description = "The shared public DNS zone (environments/shared) that holds the public and origin records."
}

variable "dns_zone_id" {
  type        = string
  description = "The resource ID of the shared public DNS zone (Front Door validates the custom domain through it)."
}

variable "dns_zone_resource_group_name" {
  type        = string
  description = "The resource group of the shared public DNS zone."
}

variable "ingress_ip_id" {
  type        = string
  description = "The resource ID of the ingress load balancer's static public IP, the target of the origin A record."
}

variable "health_probe_path" {
  type        = string
  default     = "/healthz"
  description = "The path Front Door probes on the origin (the service's liveness endpoint, routed by the Ingress)."
}

variable "waf_mode" {
  type        = string
  default     = "Prevention"
  description = "The WAF mode: Prevention blocks, Detection only logs (use it briefly while tuning)."

  validation {
    condition     = contains(["Prevention", "Detection"], var.waf_mode)
    error_message = "The waf_mode must be Prevention or Detection."
  }
}

variable "rate_limit_per_minute" {
  type        = number
  default     = 120
  description = "The requests per minute one client IP may send to /ask before Front Door blocks it."
}

variable "tags" {
  type        = map(string)
  description = "The tags applied to every resource (from the naming module)."
}
