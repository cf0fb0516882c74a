"""Piccolo's configuration module: the engine for `medqa migrate` and the app registry.

The service itself builds its engine from Settings in the lifespan (app/db.py); this module exists
because Piccolo's migration runner finds its engine here (PICCOLO_CONF=app.piccolo_conf).
"""

from piccolo.conf.apps import AppRegistry

from app.db import make_engine
from app.entra import EntraTokenProvider
from app.settings import Settings

_settings = Settings.from_env()
# With Entra login a plain engine would try to log in without a password as soon as it is built.
DB = make_engine(_settings.database_url, EntraTokenProvider(_settings.entra) if _settings.entra else None)

APP_REGISTRY = AppRegistry(apps=["app.questions.piccolo_app", "app.access.piccolo_app"])
