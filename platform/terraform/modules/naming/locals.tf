locals {
  # The one convention shared with the Pulumi environments (issue #9): never copy values out of it.
  convention = jsondecode(file("${path.module}/../../../conventions.json"))

  region_code  = local.convention.regions[var.location]
  long_lived   = contains(local.convention.long_lived_environments, var.environment)
  compact_set  = toset(local.convention.compact_kinds)
  replacements = { workload = local.convention.workload, environment = var.environment, region = local.region_code }

  names = {
    for kind, abbr in local.convention.abbreviations : kind => (
      contains(local.compact_set, kind)
      ? substr(
        replace(replace(replace(replace(local.convention.compact_name_pattern, "{abbr}", abbr), "{workload}", local.replacements.workload), "{environment}", var.environment), "{region}", local.region_code),
        0,
        lookup(local.convention.max_length, kind, 63)
      )
      : replace(replace(replace(replace(local.convention.name_pattern, "{abbr}", abbr), "{workload}", local.replacements.workload), "{environment}", var.environment), "{region}", local.region_code)
    )
  }

  required_tags = {
    workload    = local.convention.tag_values.workload
    environment = var.environment
    owner       = var.owner
    cost_center = var.cost_center
    managed_by  = "terraform"
    repository  = local.convention.tag_values.repository
  }

  tags = merge(
    var.extra_tags,
    local.required_tags,
    local.long_lived ? {} : { expires_on = var.expires_on },
  )
}
