terraform {
  required_version = ">= 1.11.0"
  # No provider: the hashicorp/helm and kubernetes providers cannot be built offline here
  # (see scripts/tools.toml), so the pinned helm CLI installs the charts from a terraform_data
  # resource. Its inputs are plain values, which the plan-only tests assert.
}
