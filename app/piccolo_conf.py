"""Piccolo's configuration module: the engine for `medqa migrate` and the app registry.

The service itself builds its engine from Settings in the lifespan (app/db.py); this module exists
because Piccolo's migration runner finds its engine here (PICCOLO_CONF=app.piccolo_conf).
"""

from piccolo.conf.apps import AppRegistry

from app.db import make_engine
from app.settings import Settings

DB = make_engine(Settings.from_env().database_url)

APP_REGISTRY = AppRegistry(apps=["app.questions.piccolo_app", "app.access.piccolo_app"])
