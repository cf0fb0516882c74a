"""Applies Piccolo migrations to an engine (`medqa migrate`, and `serve` outside prod); grants the service's role.

The migration Job logs in as the PostgreSQL Entra administrator (the migrate identity); after migrating it
makes the service's identity an ordinary role with DML on the app's tables only (`grant_app_role`).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from typing import Any

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


# The variables `medqa migrate` reads (the migration Job sets both; tests/contract checks them against the wiring).
APP_ROLE_VARIABLE = "MEDQA_DATABASE_APP_ROLE"
MIGRATE_USER_VARIABLE = "MEDQA_DATABASE_MIGRATE_USER"

# The service's role: an identity name (Entra managed identities: letters, digits, `-`, `_`; users add `.`
# and `@`), at most 63 bytes (PostgreSQL truncates longer names). Anything else is refused before any SQL.
ROLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,62}")
# What the running service may do, and nothing more: DML on the app's tables, nextval on their sequences.
TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
# Azure Database for PostgreSQL Flexible Server: creates a role mapped to the Entra principal of that name
# (roleName, isAdmin, isMfa), callable by an Entra administrator.
ENTRA_CREATE = "pgaadauth_create_principal(text,boolean,boolean)"


class GrantFailed(RuntimeError):
    """The service's role could not be made or given exactly its privileges (nothing was changed)."""


def check_role_name(name: str, variable: str) -> str:
    """`name` if it is a role name this command accepts, else GrantFailed naming the variable."""
    if not ROLE_NAME.fullmatch(name):
        raise GrantFailed(f"{variable}: {name!r} is not a role name (letters, digits, _ . @ -; at most 63)")
    return name


def quote_ident(name: str) -> str:
    """`name` as a PostgreSQL identifier (double quotes, inner quotes doubled): never spliced in bare."""
    if "\x00" in name:
        raise GrantFailed("a role name cannot contain NUL")
    return '"' + name.replace('"', '""') + '"'


def app_table_names() -> list[str]:
    """The tables of the app registry (Piccolo's own `migration` table is not the service's)."""
    from app.piccolo_conf import APP_REGISTRY

    return sorted(
        {
            table._meta.tablename
            for app_name in APP_REGISTRY.app_configs
            for table in APP_REGISTRY.get_table_classes(app_name)
        }
    )


async def _rows(engine: Engine, sql: str, *args: object) -> list[Any]:  # type: ignore[type-arg]
    """Rows of a query whose `{}` placeholders are bound as parameters (never formatted into the text)."""
    from piccolo.querystring import QueryString

    return list(await engine.run_querystring(QueryString(sql, *args)))


_ACL_SNAPSHOT = """
SELECT 'rel ' || c.relname::text || ' ' || coalesce(c.relacl::text, '') AS acl
  FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'S')
UNION ALL
SELECT 'schema ' || coalesce(n.nspacl::text, '') FROM pg_namespace n WHERE n.nspname = current_schema()
UNION ALL
SELECT 'default ' || d.defaclobjtype::text || ' ' || coalesce(d.defaclacl::text, '')
  FROM pg_default_acl d WHERE d.defaclnamespace = current_schema()::regnamespace
ORDER BY 1
"""

_OWNED_SEQUENCES = """
SELECT DISTINCT s.relname FROM pg_class s
  JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype IN ('a', 'i')
  JOIN pg_class t ON t.oid = d.refobjid
 WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace AND t.relname = ANY({}::text[])
 ORDER BY 1
"""

_PRIVILEGED = """
SELECT r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolbypassrls
       OR r.rolname = current_user
       OR EXISTS (SELECT 1 FROM pg_roles a WHERE a.rolname = 'azure_pg_admin' AND pg_has_role(r.oid, a.oid, 'MEMBER'))
       OR EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = r.oid AND c.relnamespace = current_schema()::regnamespace)
       AS privileged
  FROM pg_roles r WHERE r.rolname = {}
"""


async def grant_app_role(engine: Engine, role: str, *, plain_role: bool = False) -> str:  # type: ignore[type-arg]
    """Make `role` the service's role: it exists and has exactly DML on the app's tables; one line of summary.

    A missing role is created as the Entra principal of that name (pgaadauth_create_principal, Azure) or,
    only with `plain_role` (local servers and tests), as a plain LOGIN role; otherwise GrantFailed and nothing
    is created. Default privileges of the current (migrating) role cover tables later migrations create.
    Everything runs in one transaction; a second run changes nothing and says so.
    """
    import asyncpg
    from piccolo.engine.postgres import PostgresEngine

    check_role_name(role, APP_ROLE_VARIABLE)
    if not isinstance(engine, PostgresEngine):
        raise GrantFailed("MEDQA_DATABASE_APP_ROLE needs a PostgreSQL database (MEDQA_DATABASE_URL is not one)")
    who = quote_ident(role)
    tables = app_table_names()
    try:
        async with engine.transaction():
            before = [r["acl"] for r in await _rows(engine, _ACL_SNAPSHOT)]
            exists = bool(await _rows(engine, "SELECT 1 FROM pg_roles WHERE rolname = {}", role))
            created = ""
            if not exists:
                entra = (await _rows(engine, "SELECT to_regprocedure({}) IS NOT NULL AS found", ENTRA_CREATE))[0]
                if entra["found"]:
                    await _rows(engine, "SELECT * FROM pgaadauth_create_principal({}, false, false)", role)
                    created = "created as Entra principal, "
                elif plain_role:
                    await engine.run_ddl(f"CREATE ROLE {who} LOGIN")
                    created = "created as plain role, "
                else:
                    raise GrantFailed(
                        f"role {role!r} does not exist and this server cannot create Entra principals "
                        "(no pgaadauth_create_principal); create it, or pass --plain-role on a local server"
                    )
            if (await _rows(engine, _PRIVILEGED, role))[0]["privileged"]:
                raise GrantFailed(
                    f"role {role!r} is privileged (superuser, CREATEROLE/CREATEDB, admin member, the migrating "
                    "role or an owner of the app's tables): the service's role must be an ordinary one"
                )
            schema = quote_ident(str((await _rows(engine, "SELECT current_schema() AS s"))[0]["s"]))
            sequences = [r["relname"] for r in await _rows(engine, _OWNED_SEQUENCES, tables)]
            statements = [
                # Exactly these privileges: drop whatever else it had here, then grant the set.
                f"REVOKE ALL ON SCHEMA {schema} FROM {who}",
                f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {who}",
                f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {who}",
                f"GRANT USAGE ON SCHEMA {schema} TO {who}",
                *(f"GRANT {TABLE_PRIVILEGES} ON {schema}.{quote_ident(t)} TO {who}" for t in tables),
                *(f"GRANT USAGE ON SEQUENCE {schema}.{quote_ident(s)} TO {who}" for s in sequences),
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {TABLE_PRIVILEGES} ON TABLES TO {who}",
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE ON SEQUENCES TO {who}",
            ]
            for statement in statements:
                await engine.run_ddl(statement)
            create = await _rows(engine, "SELECT has_schema_privilege({}, current_schema(), 'CREATE') AS c", role)
            if create[0]["c"]:
                raise GrantFailed(
                    f"role {role!r} may still CREATE in the schema through PUBLIC (PostgreSQL < 15): "
                    "REVOKE CREATE ON SCHEMA public FROM PUBLIC first"
                )
            after = [r["acl"] for r in await _rows(engine, _ACL_SNAPSHOT)]
    except asyncpg.PostgresError as exc:
        raise GrantFailed(f"granting {role!r} failed: {type(exc).__name__}: {exc}") from None
    if created or before != after:
        granted = f"{TABLE_PRIVILEGES} on {len(tables)} tables, USAGE on {len(sequences)} sequences"
        return f"app role {role}: {created}granted {granted}"
    return f"app role {role}: privileges already exact, nothing changed"
