locals {
  db_type  = "Microsoft.DBforPostgreSQL/flexibleServers"
  aks_type = "Microsoft.ContainerService/managedClusters"

  # One entry per metric alert: what it watches, the platform metric and when it fires.
  alerts = {
    db-cpu = {
      scope       = var.postgres_server_id, namespace = local.db_type, metric = "cpu_percent"
      aggregation = "Average", threshold = var.thresholds.db_cpu_percent, severity = 2
      description = "PostgreSQL CPU above the threshold for 15 minutes."
    }
    db-memory = {
      scope       = var.postgres_server_id, namespace = local.db_type, metric = "memory_percent"
      aggregation = "Average", threshold = var.thresholds.db_memory_percent, severity = 2
      description = "PostgreSQL memory above the threshold for 15 minutes."
    }
    db-storage = {
      scope       = var.postgres_server_id, namespace = local.db_type, metric = "storage_percent"
      aggregation = "Maximum", threshold = var.thresholds.db_storage_percent, severity = 1
      description = "PostgreSQL storage above the threshold: auto-grow is on, but check the cost and the cause."
    }
    db-failed-connections = {
      scope       = var.postgres_server_id, namespace = local.db_type, metric = "connections_failed"
      aggregation = "Total", threshold = var.thresholds.db_failed_connections, severity = 2
      description = "Failed PostgreSQL connections above the threshold (auth or TLS problems, exhaustion)."
    }
    aks-node-cpu = {
      scope       = var.aks_cluster_id, namespace = local.aks_type, metric = "node_cpu_usage_percentage"
      aggregation = "Average", threshold = var.thresholds.node_cpu_percent, severity = 2
      description = "AKS node CPU above the threshold for 15 minutes."
    }
    aks-node-memory = {
      scope       = var.aks_cluster_id, namespace = local.aks_type, metric = "node_memory_working_set_percentage"
      aggregation = "Average", threshold = var.thresholds.node_memory_percent, severity = 2
      description = "AKS node memory working set above the threshold for 15 minutes."
    }
  }
}

# The Prometheus rule files (the ones promtool tests) become Azure Prometheus rule groups: one rule
# source for the promtool tests and Azure. Every group and rule is normalised to one shape here.
locals {
  rule_files = sort(fileset(var.prometheus_rules_dir, "*.rules.yml"))

  # Prometheus durations of one unit (30s, 5m, 1h, 1d); -1 marks anything else, which a
  # precondition on the rule group reports by name.
  duration_pattern = "^([0-9]+)([smhdw])$"
  duration_seconds = { s = 1, m = 60, h = 3600, d = 86400, w = 604800 }

  # Azure Monitor severities: 0 critical, 1 error, 2 warning, 3 informational.
  severities = { critical = 0, error = 1, warning = 2, info = 3 }

  rule_groups = {
    for group in flatten([
      for file_name in local.rule_files : [
        for g in yamldecode(file("${var.prometheus_rules_dir}/${file_name}")).groups : {
          name = g.name
          file = file_name
          interval_seconds = try(
            tonumber(regex(local.duration_pattern, g.interval)[0]) * local.duration_seconds[regex(local.duration_pattern, g.interval)[1]],
            can(g.interval) ? -1 : 60,
          )
          rules = [
            for r in g.rules : {
              alert       = try(r.alert, null)
              record      = try(r.record, null)
              expression  = trimspace(r.expr)
              labels      = { for k, v in try(r.labels, {}) : k => tostring(v) }
              annotations = { for k, v in try(r.annotations, {}) : k => tostring(v) }
              severity    = try(local.severities[r.labels.severity], null)
              for_seconds = try(
                tonumber(regex(local.duration_pattern, r["for"])[0]) * local.duration_seconds[regex(local.duration_pattern, r["for"])[1]],
                can(r["for"]) ? -1 : null,
              )
            }
          ]
        }
      ]
    ]) : group.name => group
  }

  # The Azure shape of each rule: ISO 8601 `for`, runbook links made absolute (notifications leave
  # the repository), severity and annotations only on alerts.
  azure_rules = {
    for name, g in local.rule_groups : name => [
      for r in g.rules : {
        alert      = r.alert
        record     = r.record
        expression = r.expression
        labels     = length(r.labels) > 0 ? r.labels : null
        severity   = r.alert == null ? null : r.severity
        annotations = r.alert == null ? null : merge(r.annotations, (
          var.runbook_base_url != null && !startswith(lookup(r.annotations, "runbook_url", "http"), "http")
          ) ? { runbook_url = "${trimsuffix(var.runbook_base_url, "/")}/${r.annotations.runbook_url}" } : {}
        )
        for_iso = r.alert == null || r.for_seconds == null ? null : (
          r.for_seconds % 3600 == 0 ? format("PT%dH", r.for_seconds / 3600) : (
            r.for_seconds % 60 == 0 ? format("PT%dM", r.for_seconds / 60) : format("PT%dS", r.for_seconds)
          )
        )
      }
    ]
  }

  alert_names = flatten([for g in local.rule_groups : [for r in g.rules : r.alert if r.alert != null]])
}
