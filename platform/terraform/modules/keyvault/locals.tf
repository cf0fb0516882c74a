locals {
  # Azure serves a vault at https://<name>.vault.azure.net/ (public cloud).
  vault_url = "https://${var.name}.vault.azure.net/"
}
