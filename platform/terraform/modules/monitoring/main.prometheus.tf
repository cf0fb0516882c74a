# Alert and recording rules: one Azure Prometheus rule group per group of the repository's rule files,
# evaluated by Azure Monitor against the workspace that managed Prometheus writes this cluster into.
# Alone in this file because checkov's HCL parser cannot read an argument named `for` (it has no
# check for this resource type either); terraform validate and the plan tests cover it.
resource "azurerm_monitor_alert_prometheus_rule_group" "this" {
  for_each = var.alerts_enabled ? local.rule_groups : {}

  name                = each.key
  resource_group_name = var.resource_group_name
  location            = var.location
  cluster_name        = var.aks_cluster_name
  description         = "Rules of observability/prometheus/rules/${each.value.file} (group ${each.key})."
  rule_group_enabled  = true
  # Azure evaluates a group every PT1M..PT15M: a 30s group of the file runs every minute here.
  interval = format("PT%dM", max(1, min(15, ceil(each.value.interval_seconds / 60))))
  scopes   = [azurerm_monitor_workspace.this.id, var.aks_cluster_id]
  tags     = var.tags

  dynamic "rule" {
    for_each = local.azure_rules[each.key]
    content {
      enabled     = true
      alert       = rule.value.alert
      record      = rule.value.record
      expression  = rule.value.expression
      labels      = rule.value.labels
      annotations = rule.value.annotations
      severity    = rule.value.severity
      for         = rule.value.for_iso

      dynamic "action" {
        for_each = rule.value.alert == null ? [] : [azurerm_monitor_action_group.this.id]
        content {
          action_group_id = action.value
        }
      }

      dynamic "alert_resolution" {
        for_each = rule.value.alert == null ? [] : [true]
        content {
          # Resolve when the expression stops firing, as Alertmanager would.
          auto_resolved   = true
          time_to_resolve = "PT10M"
        }
      }
    }
  }

  lifecycle {
    precondition {
      condition     = alltrue([for r in each.value.rules : r.alert == null || r.severity != null])
      error_message = "Rule group ${each.key} (${each.value.file}): every alert needs a severity label: critical, error, warning or info."
    }
    precondition {
      condition     = alltrue([for r in each.value.rules : r.for_seconds == null || try(r.for_seconds > 0, false)]) && each.value.interval_seconds > 0
      error_message = "Rule group ${each.key} (${each.value.file}): durations (for, interval) must have one unit, like 30s, 5m or 1h."
    }
    precondition {
      condition     = alltrue([for r in each.value.rules : (r.alert == null) != (r.record == null)])
      error_message = "Rule group ${each.key} (${each.value.file}): every rule is either an alert or a record."
    }
  }
}
