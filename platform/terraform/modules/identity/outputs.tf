output "identities" {
  description = "Per role: the identity's name, resource ID, client ID (service account annotation) and principal ID (role assignments)."
  value = {
    for k, i in azurerm_user_assigned_identity.this : k => {
      name         = i.name
      id           = i.id
      client_id    = i.client_id
      principal_id = i.principal_id
    }
  }
}

output "federated_subjects" {
  description = "Per role: the service account subjects the identity's federated credentials trust."
  value = {
    for k in keys(var.identities) : k => sort([for c in values(local.credentials) : c.subject if c.identity == k])
  }
}
