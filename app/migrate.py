"""Applies Piccolo migrations to an engine; used by `medqa migrate` and by `serve` outside prod."""

from __future__ import annotations

import contextlib
import io
import os

from piccolo.engine.base import Engine


class MigrationFailed(RuntimeError):
    """A migration did not apply."""


async def migrate(engine: Engine) -> str:  # type: ignore[type-arg]
    """Apply every pending migration to `engine`; return Piccolo's summary of what it did."""
    os.environ.setdefault("PICCOLO_CONF", "app.piccolo_conf")  # where Piccolo's runner finds the registry
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from app.db import bind_tables
    from app.piccolo_conf import engine_for

    bind_tables(engine)
    output = io.StringIO()
    with engine_for(engine), contextlib.redirect_stdout(output):
        result = await run_forwards(app_name="all", migration_id="all", fake=False)
    if not result.success:
        raise MigrationFailed(result.message or "migration failed")
    return output.getvalue().strip()
