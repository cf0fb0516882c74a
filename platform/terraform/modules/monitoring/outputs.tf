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
