# Dashboards: Azure Managed Grafana reading the Azure Monitor workspace with its own identity;
# people and the dashboards deployer (Ansible on the jump host) sign in with Entra ID only.
resource "azurerm_dashboard_grafana" "this" {
  name                          = var.grafana_name
  resource_group_name           = var.resource_group_name
  location                      = var.location
  grafana_major_version         = var.grafana_major_version
  sku                           = "Standard"
  api_key_enabled               = false
  public_network_access_enabled = var.grafana_public_network_access_enabled
  zone_redundancy_enabled       = var.grafana_zone_redundancy_enabled
  tags                          = var.tags

  identity {
    type = "SystemAssigned"
  }

  azure_monitor_workspace_integrations {
    resource_id = azurerm_monitor_workspace.this.id
  }
}

# The integration only names the workspace: Grafana's identity still needs to read its metrics.
resource "azurerm_role_assignment" "grafana_reads_metrics" {
  scope                = azurerm_monitor_workspace.this.id
  role_definition_name = "Monitoring Data Reader"
  principal_id         = azurerm_dashboard_grafana.this.identity[0].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "grafana_admin" {
  for_each = var.grafana_admin_principal_ids

  scope                = azurerm_dashboard_grafana.this.id
  role_definition_name = "Grafana Admin"
  principal_id         = each.value
}

# Editor is enough to create folders and push dashboards, and cannot change data sources or users.
resource "azurerm_role_assignment" "grafana_dashboards_deployer" {
  for_each = var.grafana_editor_principal_ids

  scope                = azurerm_dashboard_grafana.this.id
  role_definition_name = "Grafana Editor"
  principal_id         = each.value
}
