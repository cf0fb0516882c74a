mock_provider "azurerm" {}

variables {
  log_analytics_name     = "log-medqa-dev-weu"
  monitor_workspace_name = "amw-medqa-dev-weu"
  action_group_name      = "ag-medqa-dev-weu"
  resource_group_name    = "rg-medqa-dev-weu"
  location               = "westeurope"
  alert_emails           = { platform = "platform-team@example.org" }
  postgres_server_id     = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-dev-weu/providers/Microsoft.DBforPostgreSQL/flexibleServers/psql-medqa-dev-weu"
  aks_cluster_id         = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-dev-weu/providers/Microsoft.ContainerService/managedClusters/aks-medqa-dev-weu"
  tags                   = { environment = "dev" }
}

run "database_and_cluster_alerts_exist" {
  command = plan

  assert {
    condition = toset([for a in azurerm_monitor_metric_alert.this : one(a.criteria).metric_name]) == toset([
      "cpu_percent", "memory_percent", "storage_percent", "connections_failed",
      "node_cpu_usage_percentage", "node_memory_working_set_percentage",
    ])
    error_message = "CPU, memory, storage and failed-connection alerts for the database and CPU/memory for the cluster are required."
  }
  assert {
    condition     = alltrue([for k, a in azurerm_monitor_metric_alert.this : startswith(k, "db-") ? tolist(a.scopes) == tolist([var.postgres_server_id]) : tolist(a.scopes) == tolist([var.aks_cluster_id])])
    error_message = "Each alert must watch its own resource."
  }
  assert {
    condition     = azurerm_monitor_action_group.this.email_receiver[0].email_address == "platform-team@example.org"
    error_message = "The action group must e-mail the receivers."
  }
  assert {
    condition     = azurerm_log_analytics_workspace.this.retention_in_days == 30
    error_message = "The default retention is 30 days."
  }
}

run "alerts_need_targets" {
  command = plan

  variables {
    aks_cluster_id = null
  }

  expect_failures = [var.aks_cluster_id]
}

run "empty_receivers_are_rejected" {
  command = plan

  variables {
    alert_emails = {}
  }

  expect_failures = [var.alert_emails]
}
