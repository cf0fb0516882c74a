"""`medqa migrate` with MEDQA_DATABASE_APP_ROLE on a real PostgreSQL: the service's role gets DML and nothing else.

Each test migrates a database of its own and drops it (and the roles it made) afterwards; roles are
cluster-wide, so every name carries the test's own suffix.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

pytestmark = pytest.mark.postgres

PASSWORD = "app-role-test-only"
Run = Callable[..., tuple[int, str, str]]


def with_path(url: str, database: str, user: str | None = None, password: str | None = None) -> str:
    parts = urlsplit(url)
    hostport = parts.netloc.rpartition("@")[2]
    userinfo = parts.netloc.rpartition("@")[0]
    if user is not None:
        userinfo = f"{user}:{password}" if password is not None else user
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{hostport}", path=f"/{database}"))


def sql(url: str, *statements: str, args: tuple[object, ...] = ()) -> list[Any]:
    """Run statements on a fresh connection; the rows of the last one, which gets `args` ($1, $2...)."""

    async def go() -> list[Any]:
        conn = await asyncpg.connect(url)
        try:
            rows: list[Any] = []
            for number, statement in enumerate(statements, start=1):
                rows = list(await conn.fetch(statement, *(args if number == len(statements) else ())))
            return rows
        finally:
            await conn.close()

    return asyncio.run(go())


class Scratch:
    """A database of this test's own, and the names of roles it may create."""

    def __init__(self, admin_url: str) -> None:
        self.suffix = secrets.token_hex(4)
        self.admin_url = admin_url
        self.database = f"medqa_grant_{self.suffix}"
        self.url = with_path(admin_url, self.database)
        self.role = f"id-medqa-test-{self.suffix}"
        sql(admin_url, f'CREATE DATABASE "{self.database}"')

    def as_role(self, *statements: str, args: tuple[object, ...] = ()) -> list[Any]:
        return sql(with_path(self.admin_url, self.database, self.role, PASSWORD), *statements, args=args)

    def acls(self) -> list[Any]:
        return sql(
            self.url,
            "SELECT c.relname, c.relacl::text FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace "
            "UNION ALL SELECT 'default', d.defaclacl::text FROM pg_default_acl d ORDER BY 1, 2",
        )

    def drop(self) -> None:
        sql(self.admin_url, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        sql(self.admin_url, f'DROP ROLE IF EXISTS "{self.role}"')


@pytest.fixture
def scratch(postgres_url: str) -> Iterator[Scratch]:
    database = urlsplit(postgres_url).path.lstrip("/")
    made = Scratch(with_path(postgres_url, database))
    try:
        yield made
    finally:
        made.drop()


@pytest.fixture
def run() -> Run:
    """`medqa migrate ARGS` in a child process with these variables: (exit code, stdout, stderr).

    A child, not `cli.main` in-process: the command configures logging for its process.
    """

    def invoke(*args: str, **env: str) -> tuple[int, str, str]:
        unset = ("MEDQA_DATABASE_APP_ROLE", "MEDQA_DATABASE_MIGRATE_USER", "MEDQA_DATABASE_AUTH", "MEDQA_DATABASE_URL")
        variables = {k: v for k, v in os.environ.items() if k not in unset} | env
        done = subprocess.run(
            [sys.executable, "-m", "app", "migrate", *args],
            env=variables,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        return done.returncode, done.stdout, done.stderr

    return invoke


def migrate_with_role(run: Run, scratch: Scratch, *args: str) -> str:
    code, out, err = run(*args, MEDQA_DATABASE_URL=scratch.url, MEDQA_DATABASE_APP_ROLE=scratch.role)
    assert code == 0, err
    return out


def test_the_app_role_reads_and_writes_questions_but_changes_no_schema(run: Run, scratch: Scratch) -> None:
    out = migrate_with_role(run, scratch, "--plain-role")
    assert f"app role {scratch.role}: created as plain role, granted SELECT, INSERT, UPDATE, DELETE" in out
    sql(scratch.url, f"ALTER ROLE \"{scratch.role}\" PASSWORD '{PASSWORD}'")
    record = uuid.uuid4()
    rows = scratch.as_role(
        "INSERT INTO qa_record (id, conversation_id, question, answer, model, prompt_version, finish_reason) "
        "VALUES ($1, $1, 'q', 'a', 'm', 'v1', 'stop') RETURNING id",
        args=(record,),
    )
    assert rows[0]["id"] == record
    scratch.as_role("UPDATE qa_record SET triage = 'urgent' WHERE id = $1", args=(record,))
    rows = scratch.as_role("SELECT count(*) AS n FROM qa_record WHERE triage = 'urgent'")
    assert rows[0]["n"] == 1
    refused = [
        "DROP TABLE qa_record",
        "CREATE TABLE intruder (id int)",
        "ALTER TABLE qa_record ADD COLUMN extra int",
        "TRUNCATE qa_record",
        "SELECT * FROM migration",  # Piccolo's bookkeeping is not the service's
        "CREATE ROLE intruder",
    ]
    for statement in refused:
        with pytest.raises(asyncpg.PostgresError):
            scratch.as_role(statement)
    assert scratch.as_role("DELETE FROM qa_record WHERE id = $1 RETURNING id", args=(record,))


def test_a_second_run_changes_nothing(run: Run, scratch: Scratch) -> None:
    migrate_with_role(run, scratch, "--plain-role")
    granted = scratch.acls()
    out = migrate_with_role(run, scratch, "--plain-role")
    assert f"app role {scratch.role}: privileges already exact, nothing changed" in out
    assert scratch.acls() == granted


def test_tables_later_migrations_create_are_covered(run: Run, scratch: Scratch) -> None:
    migrate_with_role(run, scratch, "--plain-role")
    sql(scratch.url, "CREATE TABLE later (id serial PRIMARY KEY, note text)")  # as the migrating role
    sql(scratch.url, f"ALTER ROLE \"{scratch.role}\" PASSWORD '{PASSWORD}'")
    rows = scratch.as_role("INSERT INTO later (note) VALUES ('x')", "SELECT count(*) AS n FROM later")
    assert rows[0]["n"] == 1


def test_a_missing_role_becomes_an_entra_principal_where_the_server_can(run: Run, scratch: Scratch) -> None:
    # Azure's function, stood in for: it records its arguments and makes the role.
    sql(
        scratch.url,
        "CREATE TABLE principal_calls (role text, is_admin boolean, is_mfa boolean)",
        "CREATE FUNCTION pgaadauth_create_principal(role text, is_admin boolean, is_mfa boolean) RETURNS text "
        "LANGUAGE plpgsql AS $$ BEGIN INSERT INTO principal_calls VALUES (role, is_admin, is_mfa); "
        "EXECUTE format('CREATE ROLE %I LOGIN', role); RETURN 'Created role for ' || role; END $$",
    )
    out = migrate_with_role(run, scratch)
    assert "created as Entra principal" in out
    assert [tuple(r) for r in sql(scratch.url, "SELECT * FROM principal_calls")] == [(scratch.role, False, False)]


def test_the_migrating_user_replaces_the_services_in_the_url(run: Run, scratch: Scratch) -> None:
    admin = urlsplit(scratch.admin_url)
    as_service = with_path(scratch.admin_url, scratch.database, "nobody-here", admin.password)
    code, _, err = run(MEDQA_DATABASE_URL=as_service, MEDQA_DATABASE_MIGRATE_USER=str(admin.username))
    assert code == 0, err
    code, _, err = run(MEDQA_DATABASE_URL=as_service)  # without it, the service's user cannot log in here
    assert code == 1 and err.splitlines()[-1].startswith("medqa migrate: database unreachable")


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"MEDQA_DATABASE_APP_ROLE": 'app"; DROP TABLE qa_record; --'}, "MEDQA_DATABASE_APP_ROLE: "),
        ({"MEDQA_DATABASE_APP_ROLE": "x" * 64}, "is not a role name"),
        ({"MEDQA_DATABASE_MIGRATE_USER": "admin user"}, "MEDQA_DATABASE_MIGRATE_USER: "),
    ],
)
def test_a_bad_role_name_is_one_line_and_touches_nothing(
    run: Run, scratch: Scratch, variables: dict[str, str], message: str
) -> None:
    code, out, err = run(MEDQA_DATABASE_URL=scratch.url, **variables)
    assert code == 1 and message in err and err.count("\n") == 1 and out == ""
    assert not sql(scratch.url, "SELECT 1 FROM pg_tables WHERE tablename = 'qa_record'")


def test_a_missing_role_with_no_way_to_create_it_fails_and_creates_nothing(run: Run, scratch: Scratch) -> None:
    code, _, err = run(MEDQA_DATABASE_URL=scratch.url, MEDQA_DATABASE_APP_ROLE=scratch.role)
    assert code == 1 and err.count("\n") == 1
    assert err.startswith(f"medqa migrate: app role: role '{scratch.role}' does not exist") and "--plain-role" in err
    assert not sql(scratch.url, "SELECT 1 FROM pg_roles WHERE rolname = $1", args=(scratch.role,))


def test_a_privileged_role_is_refused_as_the_app_role(run: Run, scratch: Scratch) -> None:
    admin = str(urlsplit(scratch.admin_url).username)
    code, _, err = run(MEDQA_DATABASE_URL=scratch.url, MEDQA_DATABASE_APP_ROLE=admin)
    assert code == 1 and "is privileged" in err and err.count("\n") == 1


def test_plain_roles_need_a_role_and_password_login(run: Run, scratch: Scratch) -> None:
    code, _, err = run("--plain-role", MEDQA_DATABASE_URL=scratch.url)
    assert code == 1 and "--plain-role is for local servers" in err and err.count("\n") == 1
