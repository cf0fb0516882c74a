# This module creates no resources: it turns platform/conventions.json into names and tags.

check "short_lived_environments_expire" {
  assert {
    condition     = local.long_lived || var.expires_on != null
    error_message = "Short-lived environments must set expires_on (see short_lived_required_tags in platform/conventions.json)."
  }
}
