"""Observability as code: Prometheus rules, Grafana dashboards and the scripts that render them."""
