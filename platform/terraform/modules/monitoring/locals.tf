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
