# Non-secret settings of staging. Replace the placeholder IDs, key and addresses with your own before
# the first apply (see ../../README.md); secrets never go here: they are set in Key Vault out of band.
subscription_id = "00000000-0000-0000-0000-000000000000"
location        = "westeurope"
owner           = "platform-team"
cost_center     = "cc-medqa-staging"
address_space   = "10.40.0.0/20"

admin_group_object_ids = ["11111111-1111-1111-1111-111111111111"]
postgres_entra_admin = {
  object_id      = "11111111-1111-1111-1111-111111111111"
  principal_name = "medqa-platform-admins"
  principal_type = "Group"
}

alert_emails = { platform = "platform-team@example.org" }

# A placeholder key whose private half was discarded: put your break-glass public key here.
jumphost_admin_ssh_public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINMYBAK9ca1Kib0fpTQq/zgpbaCpc824Y9LEAAC0elw6 break-glass"
dns_zone_name                 = "medqa.example.com"
repo_url                      = "https://github.com/example-org/medqa.git"

# Argo CD's Entra ID app registration (made by hand; see the argocd output for its redirect URIs and trust).
argocd_sso_client_id = "22222222-2222-2222-2222-222222222222"
