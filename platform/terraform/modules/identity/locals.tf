locals {
  # One federated credential per (identity, service account); the subject is the format Kubernetes
  # puts into projected service account tokens.
  credentials = merge([
    for key, identity in var.identities : {
      for sa in identity.service_accounts : "${key}/${identity.namespace}/${sa}" => {
        identity = key
        name     = "${identity.namespace}-${sa}"
        subject  = "system:serviceaccount:${identity.namespace}:${sa}"
      }
    }
  ]...)
}
