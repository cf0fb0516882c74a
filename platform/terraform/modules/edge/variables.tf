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

variable "origin_host_name" {
  type        = string
  description = "The public host name of the cluster ingress that Front Door forwards to (served over HTTPS with a certificate for this name)."
}

variable "health_probe_path" {
  type        = string
  default     = "/healthz"
  description = "The path Front Door probes on the origin (the service's liveness endpoint)."
}

variable "static_path_patterns" {
  type        = list(string)
  default     = ["/static/*", "/favicon.ico"]
  description = "The paths of the chat page's static assets: the only paths Front Door caches."
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
