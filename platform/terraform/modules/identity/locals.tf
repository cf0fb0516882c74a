locals {
  # The subject format Kubernetes puts into projected service account tokens.
  subject = "system:serviceaccount:${var.service_account_namespace}:${var.service_account_name}"
}
