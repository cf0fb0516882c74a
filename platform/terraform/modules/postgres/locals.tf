locals {
  # Azure names a flexible server <name>.postgres.database.azure.com (the private zone resolves it).
  fqdn = "${var.name}.postgres.database.azure.com"

  # Server parameters the service and operations rely on; TLS is enforced here, not by default.
  server_parameters = merge({
    require_secure_transport     = "on"
    ssl_min_protocol_version     = "TLSv1.2"
    log_connections              = "on"
    log_disconnections           = "on"
    log_checkpoints              = "on"
    "connection_throttle.enable" = "on"
    timezone                     = "UTC"
    # The app's queries run under a statement timeout of its own; this is the server's backstop.
    idle_in_transaction_session_timeout = "60000"
  }, var.server_parameters)
}
