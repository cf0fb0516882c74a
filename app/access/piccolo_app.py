"""Piccolo app registration for the access domain."""

import os

from piccolo.conf.apps import AppConfig

from app.access.tables import ApiKey, AuditEvent

APP_CONFIG = AppConfig(
    app_name="access",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[ApiKey, AuditEvent],
    migration_dependencies=[],
    commands=[],
)
