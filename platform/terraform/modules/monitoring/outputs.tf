output "log_analytics_workspace_id" {
  description = "The resource ID of the Log Analytics workspace."
  value       = azurerm_log_analytics_workspace.this.id
}

output "monitor_workspace_id" {
  description = "The resource ID of the Azure Monitor workspace (managed Prometheus)."
  value       = azurerm_monitor_workspace.this.id
}

output "action_group_id" {
  description = "The resource ID of the action group."
  value       = azurerm_monitor_action_group.this.id
}

output "alert_names" {
  description = "The names of the metric alerts."
  value       = [for a in azurerm_monitor_metric_alert.this : a.name]
}

output "prometheus_rule_group_names" {
  description = "The Azure Prometheus rule groups built from the repository's rule files."
  value       = [for g in azurerm_monitor_alert_prometheus_rule_group.this : g.name]
}

output "prometheus_alert_names" {
  description = "The alert names of the rule files, each deployed to a rule group that notifies the action group."
  value       = sort(local.alert_names)
}

output "grafana_endpoint" {
  description = "The URL of the Azure Managed Grafana instance (Ansible's grafana_dashboards_url)."
  value       = azurerm_dashboard_grafana.this.endpoint
}

output "grafana_id" {
  description = "The resource ID of the Azure Managed Grafana instance."
  value       = azurerm_dashboard_grafana.this.id
}

output "grafana_name" {
  description = "The name of the Azure Managed Grafana instance."
  value       = azurerm_dashboard_grafana.this.name
}
