locals {
  # One name in every layer (docs/platform-contract.md, "Hosts"): clients use the public host;
  # Front Door reaches the ingress at the origin host but asks for the public host, so the
  # Ingress rule and its certificate match the same name whichever way a request arrives.
  public_host = "${var.host_label}.${var.dns_zone_name}"
  origin_host = "origin.${var.host_label}.${var.dns_zone_name}"
}
