output "names" {
  description = "The resource name for every kind in the convention's abbreviations (compact and length-capped where the convention says so)."
  value       = local.names
}

output "tags" {
  description = "The tags every resource carries: the convention's required tags plus any extra tags."
  value       = local.tags
}

output "region_code" {
  description = "The convention's short code for the location."
  value       = local.region_code
}

output "workload" {
  description = "The workload name from the convention."
  value       = local.convention.workload
}

output "required_tag_keys" {
  description = "The tag keys the convention requires for this environment."
  value       = concat(local.convention.required_tags, local.long_lived ? [] : local.convention.short_lived_required_tags)
}
