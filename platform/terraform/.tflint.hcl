# tflint for every module and environment (scripts/terraform-check.sh). The bundled terraform
# ruleset runs offline; the check script adds the azurerm ruleset when the toolchain has it.
config {
  call_module_type = "none"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}
