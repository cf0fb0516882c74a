mock_provider "azurerm" {}

# The IDs the routing and RBAC assertions compare are fixed during plan, so they compare real strings.
override_resource {
  target          = azurerm_monitor_workspace.this
  override_during = plan
  values = {
    id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-dev-weu/providers/Microsoft.Monitor/accounts/amw-medqa-dev-weu"
  }
}

override_resource {
  target          = azurerm_monitor_action_group.this
  override_during = plan
  values = {
    id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-dev-weu/providers/Microsoft.Insights/actionGroups/ag-medqa-dev-weu"
  }
}

override_resource {
  target          = azurerm_dashboard_grafana.this
  override_during = plan
  values = {
    id       = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-dev-weu/providers/Microsoft.Dashboard/grafana/amg-medqa-dev-weu"
    endpoint = "https://amg-medqa-dev-weu-abcd.weu.grafana.azure.com"
    identity = { principal_id = "33333333-3333-3333-3333-333333333333" }
  }
}

variables {
  log_analytics_name     = "log-medqa-dev-weu"
  monitor_workspace_name = "amw-medqa-dev-weu"
  action_group_name      = "ag-medqa-dev-weu"
  grafana_name           = "amg-medqa-dev-weu"
  resource_group_name    = "rg-medqa-dev-weu"
  location               = "westeurope"
  alert_emails           = { platform = "platform-team@example.org" }
  postgres_server_id     = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-dev-weu/providers/Microsoft.DBforPostgreSQL/flexibleServers/psql-medqa-dev-weu"
  aks_cluster_id         = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-medqa-dev-weu/providers/Microsoft.ContainerService/managedClusters/aks-medqa-dev-weu"
  aks_cluster_name       = "aks-medqa-dev-weu"
  prometheus_rules_dir   = "../../../../observability/prometheus/rules"
  runbook_base_url       = "https://github.com/example-org/medqa/blob/main"
  grafana_admin_principal_ids = {
    admins = "11111111-1111-1111-1111-111111111111"
  }
  grafana_editor_principal_ids = {
    jumphost = "22222222-2222-2222-2222-222222222222"
  }
  tags = { environment = "dev" }
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
    condition     = length(azurerm_monitor_action_group.this.webhook_receiver) == 0
    error_message = "No webhook receiver unless one is given."
  }
  assert {
    condition     = azurerm_log_analytics_workspace.this.retention_in_days == 30
    error_message = "The default retention is 30 days."
  }
}

# The expected names are read from the rule files here, independently of the module's parsing:
# an alert or recording rule the module drops (or invents) fails this run.
run "every_rule_of_the_rule_files_is_deployed" {
  command = plan

  assert {
    condition = toset(flatten([
      for f in fileset(var.prometheus_rules_dir, "*.rules.yml") : [
        for g in yamldecode(file("${var.prometheus_rules_dir}/${f}")).groups : [for r in g.rules : r.alert if can(r.alert)]
      ]
      ])) == toset(flatten([
      for g in azurerm_monitor_alert_prometheus_rule_group.this : [for r in g.rule : r.alert if r.alert != null]
    ]))
    error_message = "Every alert of observability/prometheus/rules/*.rules.yml must be in an Azure Prometheus rule group."
  }
  assert {
    condition = toset(flatten([
      for f in fileset(var.prometheus_rules_dir, "*.rules.yml") : [
        for g in yamldecode(file("${var.prometheus_rules_dir}/${f}")).groups : [for r in g.rules : r.record if can(r.record)]
      ]
      ])) == toset(flatten([
      for g in azurerm_monitor_alert_prometheus_rule_group.this : [for r in g.rule : r.record if r.record != null]
    ]))
    error_message = "Every recording rule of the rule files must be in an Azure Prometheus rule group."
  }
  assert {
    condition     = length(output.prometheus_alert_names) >= 11 && contains(output.prometheus_alert_names, "MedQAAskAvailabilityFastBurn")
    error_message = "The SLO and cause alerts of the repository must be deployed."
  }
  assert {
    condition     = toset(keys(azurerm_monitor_alert_prometheus_rule_group.this)) == toset(["medqa-service-alerts", "medqa-slo-alerts", "medqa-slo-sli"])
    error_message = "One rule group per group of the rule files."
  }
}

run "every_alert_routes_to_the_action_group_with_its_severity" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for g in azurerm_monitor_alert_prometheus_rule_group.this : [
        for r in g.rule : length(r.action) == 1 && r.action[0].action_group_id == azurerm_monitor_action_group.this.id if r.alert != null
      ]
    ]))
    error_message = "Every alert must notify the environment's action group (a real receiver, not a null route)."
  }
  assert {
    condition = alltrue(flatten([
      for g in azurerm_monitor_alert_prometheus_rule_group.this : [
        for r in g.rule : r.severity == { critical = 0, warning = 2 }[r.labels.severity] if r.alert != null
      ]
    ]))
    error_message = "An alert's Azure severity must follow its severity label (critical 0, warning 2)."
  }
  assert {
    condition = alltrue(flatten([
      for g in azurerm_monitor_alert_prometheus_rule_group.this : [
        for r in g.rule : startswith(r.annotations.runbook_url, "https://github.com/example-org/medqa/blob/main/observability/runbooks/") && r.annotations.summary != "" if r.alert != null
      ]
    ]))
    error_message = "Every alert carries its summary and an absolute runbook_url."
  }
  assert {
    condition = [
      for r in azurerm_monitor_alert_prometheus_rule_group.this["medqa-service-alerts"].rule : r["for"] if r.alert == "MedQAGeminiRateLimited"
    ] == ["PT10M"]
    error_message = "The rule file's `for: 10m` must become PT10M."
  }
  assert {
    condition = alltrue([
      for r in azurerm_monitor_alert_prometheus_rule_group.this["medqa-service-alerts"].rule : r["for"] == null if r.alert == "MedQAPodRestarting"
    ])
    error_message = "An alert without `for` fires at once, as in Prometheus."
  }
  assert {
    condition     = alltrue([for g in azurerm_monitor_alert_prometheus_rule_group.this : tolist(g.scopes) == tolist([azurerm_monitor_workspace.this.id, var.aks_cluster_id]) && g.cluster_name == var.aks_cluster_name])
    error_message = "The rule groups evaluate the Azure Monitor workspace for this cluster."
  }
  assert {
    condition     = azurerm_monitor_alert_prometheus_rule_group.this["medqa-slo-sli"].interval == "PT1M"
    error_message = "A 30s recording group runs at Azure's shortest interval, PT1M."
  }
}

run "webhook_receiver_is_added_when_given" {
  command = plan

  variables {
    alert_webhook_url = "https://hooks.example.org/services/oncall"
  }

  assert {
    condition     = length(azurerm_monitor_action_group.this.webhook_receiver) == 1 && azurerm_monitor_action_group.this.email_receiver[0].name == "platform"
    error_message = "The webhook joins the e-mail receivers."
  }
}

run "grafana_uses_entra_rbac_and_reads_the_workspace" {
  command = plan

  assert {
    condition     = azurerm_dashboard_grafana.this.name == "amg-medqa-dev-weu" && !azurerm_dashboard_grafana.this.api_key_enabled
    error_message = "Grafana is named by the convention and has no API keys (Entra ID only)."
  }
  assert {
    condition     = one(azurerm_dashboard_grafana.this.azure_monitor_workspace_integrations).resource_id == azurerm_monitor_workspace.this.id
    error_message = "Grafana must be integrated with the Azure Monitor workspace."
  }
  assert {
    condition     = azurerm_role_assignment.grafana_reads_metrics.role_definition_name == "Monitoring Data Reader" && azurerm_role_assignment.grafana_reads_metrics.principal_id == "33333333-3333-3333-3333-333333333333"
    error_message = "Grafana's own identity reads the workspace's metrics."
  }
  assert {
    condition     = azurerm_role_assignment.grafana_admin["admins"].role_definition_name == "Grafana Admin" && azurerm_role_assignment.grafana_admin["admins"].scope == azurerm_dashboard_grafana.this.id
    error_message = "The operators' group administers Grafana."
  }
  assert {
    condition     = azurerm_role_assignment.grafana_dashboards_deployer["jumphost"].role_definition_name == "Grafana Editor" && azurerm_role_assignment.grafana_dashboards_deployer["jumphost"].principal_id == "22222222-2222-2222-2222-222222222222"
    error_message = "The dashboards deployer can push dashboards."
  }
  assert {
    condition     = azurerm_dashboard_grafana.this.public_network_access_enabled && output.grafana_endpoint == "https://amg-medqa-dev-weu-abcd.weu.grafana.azure.com"
    error_message = "Public access follows the variable; the endpoint is an output."
  }
}

run "grafana_can_be_private" {
  command = plan

  variables {
    grafana_public_network_access_enabled = false
  }

  assert {
    condition     = !azurerm_dashboard_grafana.this.public_network_access_enabled
    error_message = "grafana_public_network_access_enabled = false must close the public endpoint."
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

run "a_folder_without_rule_files_is_rejected" {
  command = plan

  variables {
    prometheus_rules_dir = "./tests"
  }

  expect_failures = [var.prometheus_rules_dir]
}
