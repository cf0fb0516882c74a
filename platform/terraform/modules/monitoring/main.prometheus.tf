# Alert and recording rules: one Azure Prometheus rule group per group of the repository's rule files,
# evaluated by Azure Monitor against the workspace that managed Prometheus writes this cluster into.
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
    for_each = each.value.rules
    content {
      enabled    = true
      alert      = rule.value.alert
      record     = rule.value.record
      expression = rule.value.expression
      labels     = length(rule.value.labels) > 0 ? rule.value.labels : null
      annotations = rule.value.alert == null ? null : merge(
        rule.value.annotations,
        # The files link runbooks relative to the repository; Azure's notification needs a full URL.
        var.runbook_base_url != null && can(rule.value.annotations.runbook_url) && !startswith(try(rule.value.annotations.runbook_url, ""), "http")
        ? { runbook_url = "${trimsuffix(var.runbook_base_url, "/")}/${rule.value.annotations.runbook_url}" } : {},
      )
      severity = rule.value.alert == null ? null : rule.value.severity
      for = rule.value.alert == null || rule.value.for_seconds == null ? null : (
        rule.value.for_seconds % 3600 == 0 ? format("PT%dH", rule.value.for_seconds / 3600) : (
          rule.value.for_seconds % 60 == 0 ? format("PT%dM", rule.value.for_seconds / 60) : format("PT%dS", rule.value.for_seconds)
        )
      )

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
