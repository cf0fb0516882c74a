"""Applies Piccolo migrations to an engine; used by `medqa migrate` and by `serve` outside prod."""

from __future__ import annotations

import contextlib
import io
import os

from piccolo.engine.base import Engine

os.environ.setdefault("PICCOLO_CONF", "app.piccolo_conf")


class MigrationFailed(RuntimeError):
    """A migration did not apply."""


async def migrate(engine: Engine) -> str:  # type: ignore[type-arg]
    """Apply every pending migration to `engine`; return Piccolo's summary of what it did."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    import app.piccolo_conf as conf
    from app.db import bind_tables

    conf.DB = engine
    bind_tables(engine)
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        result = await run_forwards(app_name="all", migration_id="all", fake=False)
    if not result.success:
        raise MigrationFailed(result.message or "migration failed")
    return output.getvalue().strip()
