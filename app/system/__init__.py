"""Health, readiness, metrics and logging: what operators see of the service."""
