"""Piccolo app registration for the questions domain (tables and migrations)."""

import os

from piccolo.conf.apps import AppConfig

from app.questions.tables import QARecord

APP_CONFIG = AppConfig(
    app_name="questions",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[QARecord],
    migration_dependencies=[],
    commands=[],
)
