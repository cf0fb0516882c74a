"""The `medqa` command: serve, migrate, ask, purge, apikey, fake-gemini, version."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from app import __version__
from app.settings import ConfigError, Settings

T = TypeVar("T")


class CommandError(Exception):
    """A failure to report as one line on stderr with a non-zero exit."""


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as exc:
        raise CommandError(f"configuration error: {exc}") from None


def cmd_serve(_: argparse.Namespace) -> None:
    """Run the service with uvicorn: one process, or MEDQA_WORKERS worker processes under one supervisor."""
    settings = _settings()  # fail fast, before the heavy imports
    from app.system.logging import configure_logging

    configure_logging(settings.log_level, settings.log_format)
    if settings.workers > 1:  # each worker builds its own app; the supervisor only starts and watches them
        if settings.env in ("dev", "test") and settings.auto_migrate:  # once here, not racing in every worker
            from app.migrate import migrate

            _with_database(migrate)
        run_server(WORKER_APP, settings)
        return
    run_server(serving_app(settings), settings)


WORKER_APP = "app.cli:worker_app"


def worker_app() -> Any:
    """The app of one worker process (uvicorn imports this factory in every worker it starts)."""
    from app.system.logging import configure_logging

    settings = Settings.from_env()  # already validated by the supervisor
    configure_logging(settings.log_level, settings.log_format)
    return serving_app(settings)


def serving_app(settings: Settings) -> Any:
    """The app one serving process runs (the only one, or one worker), its start-up heap then frozen."""
    from app.asgi import create_app

    asgi_app = create_app(settings)
    freeze_heap()
    return asgi_app


def freeze_heap() -> None:
    """Move what start-up built (modules, the SDK's and the routes' models: ~150,000 objects) out of the GC's reach.

    Every full collection walks all tracked objects: at bench load one came every ~20 s and stopped the event
    loop for ~110 ms, the p99 of every request in flight then. Frozen (collected first, so no garbage is pinned),
    the full collections walk only what requests create: ~8 ms (docs/performance.md). Called once per serving
    process, just before it serves; never in tests, which build many apps in one process.
    """
    import gc

    gc.collect()
    gc.freeze()


def run_server(asgi_app: Any, settings: Settings) -> None:
    """Serve `asgi_app` as a pod does: graceful SIGTERM, no server banner, uvloop and httptools.

    With MEDQA_WORKERS > 1, `asgi_app` is the import string of a factory and uvicorn's supervisor runs that
    many workers on one socket, their metrics merged through PROMETHEUS_MULTIPROC_DIR (app/system/metrics.py).
    """
    import shutil

    import uvicorn

    from app.system.metrics import MULTIPROC_ENV, prepare_multiprocess_dir

    if settings.workers == 1 and MULTIPROC_ENV in os.environ:  # prometheus_client's own test: even when empty
        # prometheus_client would keep this one process's values in files there, and /metrics would merge in
        # whatever an earlier run left: the directory belongs to the workers' supervisor alone.
        raise CommandError(f"{MULTIPROC_ENV} is set, but MEDQA_WORKERS is 1: unset it (serve manages it)")
    metrics_dir, created = prepare_multiprocess_dir() if settings.workers > 1 else (None, False)
    # uvicorn drains in-flight requests on SIGTERM, then re-raises the signal; this handler turns that
    # re-raise into a clean exit 0, so Kubernetes sees a graceful stop rather than a kill. (With workers,
    # uvicorn's supervisor replaces it, stops the workers the same way and exits 0 itself.)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        uvicorn.run(
            asgi_app,
            host=settings.host,
            port=settings.port,
            # Named, not "auto": a missing one fails at start instead of falling back to asyncio and h11.
            loop="uvloop",
            http="httptools",
            workers=settings.workers,
            factory=settings.workers > 1,
            log_config=None,
            access_log=False,
            server_header=False,
            timeout_graceful_shutdown=30,
            lifespan="on",
        )
    finally:
        if created and metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _with_database(work: Callable[[Any], Awaitable[T]], settings: Settings | None = None) -> T:
    """Run `work(engine)` against MEDQA_DATABASE_URL (or `settings`); database failures become one-line errors."""
    from app.db import DB_ERRORS, open_database
    from app.errors import DatabaseUnavailable
    from app.migrate import MigrationFailed
    from app.system.logging import configure_logging

    settings = settings or _settings()
    configure_logging(settings.log_level, settings.log_format)

    async def run() -> T:
        async with open_database(settings, pool_size=1) as engine:
            return await work(engine)

    try:
        return asyncio.run(run())
    except MigrationFailed as exc:
        raise CommandError(f"migration failed: {exc}") from None
    except DatabaseUnavailable as exc:  # a guarded operation (purge): the cause is in the db.error log line
        raise CommandError(f"database unreachable: {exc.detail}") from None
    except DB_ERRORS as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise CommandError(f"database unreachable: {type(exc).__name__}: {reason}") from None


def cmd_migrate(args: argparse.Namespace) -> None:
    """Apply pending database migrations; then, with MEDQA_DATABASE_APP_ROLE, give the service's role its DML.

    MEDQA_DATABASE_MIGRATE_USER replaces the user of MEDQA_DATABASE_URL (the service's identity) with the
    migrating one: the Job logs in as the PostgreSQL Entra administrator, the service never does.
    """
    from app.migrate import (
        APP_ROLE_VARIABLE,
        MIGRATE_USER_VARIABLE,
        GrantFailed,
        check_role_name,
        grant_app_role,
        migrate,
    )

    settings = _settings()
    try:
        role = os.environ.get(APP_ROLE_VARIABLE, "").strip() or None
        if role is not None:
            check_role_name(role, APP_ROLE_VARIABLE)
        user = os.environ.get(MIGRATE_USER_VARIABLE, "").strip() or None
        if user is not None:
            settings = _as_user(settings, check_role_name(user, MIGRATE_USER_VARIABLE))
    except GrantFailed as exc:
        raise CommandError(str(exc)) from None
    if args.plain_role and (role is None or settings.database_auth == "entra"):
        raise CommandError("--plain-role is for local servers: it needs MEDQA_DATABASE_APP_ROLE and password login")

    async def run(engine: Any) -> str:
        lines = [await migrate(engine) or "migrations applied"]
        if role is not None:
            lines.append(await grant_app_role(engine, role, plain_role=args.plain_role))
        return "\n".join(lines)

    try:
        print(_with_database(run, settings))
    except GrantFailed as exc:
        raise CommandError(f"app role: {exc}") from None


def _as_user(settings: Settings, user: str) -> Settings:
    """The settings with `user` as the user of the PostgreSQL URL (its password, if any, kept)."""
    from dataclasses import replace
    from urllib.parse import quote, urlsplit, urlunsplit

    parts = urlsplit(settings.database_url)
    if not settings.is_postgres:
        raise CommandError("MEDQA_DATABASE_MIGRATE_USER needs a PostgreSQL MEDQA_DATABASE_URL")
    userinfo, _, hostport = parts.netloc.rpartition("@")
    _, colon, password = userinfo.partition(":")
    netloc = f"{quote(user, safe='')}{colon}{password}@{hostport}"
    return replace(settings, database_url=urlunsplit(parts._replace(netloc=netloc)))


def cmd_purge(args: argparse.Namespace) -> None:
    """Delete records older than the retention period (MEDQA_RETENTION_DAYS or --days)."""
    from app.questions.service import purge_older_than
    from app.system.metrics import Metrics

    settings = _settings()
    days = settings.retention_days if args.days is None else args.days
    if days < 1:
        raise CommandError("--days must be at least 1")

    async def purge(_: Any) -> int:
        return await purge_older_than(days, Metrics(), settings.db_timeout_s)

    count = _with_database(purge)
    print(f"purged {count} records older than {days} days")


def cmd_apikey(args: argparse.Namespace) -> None:
    """Create, list or revoke API keys."""
    from app.access.keys import ApiKeyProblem, create_key, list_keys, revoke_key

    async def run(_: Any) -> None:
        if args.action == "create":
            print(await create_key(args.name, args.scope))
            print(f"(shown once: store it now; scopes: {', '.join(sorted(set(args.scope)))})", file=sys.stderr)
        elif args.action == "list":
            for row in await list_keys():
                state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "active"
                print(f"{row['name']}\t{row['key_id']}\t{row['scopes']}\tcreated {row['created_at']}\t{state}")
        else:
            await revoke_key(args.name)
            print(f"revoked {args.name}")

    try:
        _with_database(run)
    except ApiKeyProblem as exc:
        raise CommandError(str(exc)) from None


def cmd_ask(args: argparse.Namespace) -> None:
    """Send one question to a running service and print the answer."""
    settings = _settings()
    url = args.url or f"http://{settings.host}:{settings.port}"
    if not url.startswith(("http://", "https://")):
        raise CommandError(f"--url must be an http:// or https:// URL, got {url!r}")
    body = json.dumps({"question": args.question}).encode()
    headers = {"Content-Type": "application/json"}
    request = urllib.request.Request(f"{url.rstrip('/')}/ask", data=body, headers=headers)  # noqa: S310 (checked above)
    try:
        with urllib.request.urlopen(request, timeout=args.timeout) as response:  # noqa: S310 (checked above)
            record = json.load(response)
    except urllib.error.HTTPError as exc:
        problem = _read_problem(exc)
        raise CommandError(f"the service answered {exc.code}: {problem}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CommandError(f"cannot reach the service at {url}: {reason}") from None
    print(record["answer"])
    print(f"\n({record['disclaimer']} id={record['id']} model={record['model']})", file=sys.stderr)


def _read_problem(exc: urllib.error.HTTPError) -> str:
    try:
        problem = json.load(exc)
        return str(problem.get("detail") or problem.get("title"))
    except ValueError:
        return exc.reason or "no detail"


def cmd_fake_gemini(args: argparse.Namespace) -> None:
    """Run the local fake Gemini server in the foreground."""
    import uvicorn

    from app.llm.fake_server import FakeConfig, FakeGemini

    try:
        config = FakeConfig.parse_mode(args.mode, args.latency_ms, args.chunk_delay_ms)
    except ValueError as exc:
        raise CommandError(f"--mode: {exc}") from None
    print(f"fake-gemini listening on http://{args.host}:{args.port} (mode={args.mode})", file=sys.stderr, flush=True)
    uvicorn.run(
        FakeGemini(config=config),
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=2,
    )


def cmd_version(_: argparse.Namespace) -> None:
    """Print the version."""
    print(f"medqa {__version__}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="medqa", description="MedQA medical question-answering service.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("serve", help="run the HTTP service").set_defaults(func=cmd_serve)
    migrate = sub.add_parser("migrate", help="apply database migrations (and grant MEDQA_DATABASE_APP_ROLE its DML)")
    migrate.add_argument(
        "--plain-role",
        action="store_true",
        help="create a missing app role as a plain LOGIN role (local servers and tests; never with Entra login)",
    )
    migrate.set_defaults(func=cmd_migrate)
    ask = sub.add_parser("ask", help="ask a running service a question")
    ask.add_argument("question")
    ask.add_argument("--url", help="service URL (default http://MEDQA_HOST:MEDQA_PORT)")
    ask.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the answer")
    ask.set_defaults(func=cmd_ask)
    fake = sub.add_parser("fake-gemini", help="run a local fake of the Gemini REST API")
    fake.add_argument("--host", default="127.0.0.1")
    fake.add_argument("--port", type=int, default=8001)
    fake.add_argument("--latency-ms", type=int, default=0, help="delay before each answer")
    fake.add_argument("--chunk-delay-ms", type=int, default=5, help="pause between streamed chunks")
    fake.add_argument(
        "--mode", default="ok", help="ok|hang|safety|blocked|max_tokens|stream_error|malformed|error:CODE[xN]"
    )
    fake.set_defaults(func=cmd_fake_gemini)
    purge = sub.add_parser("purge", help="delete records older than the retention period")
    purge.add_argument("--days", type=int, help="override MEDQA_RETENTION_DAYS")
    purge.set_defaults(func=cmd_purge)
    apikey = sub.add_parser("apikey", help="manage API keys")
    keys = apikey.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = keys.add_parser("create", help="create a key and print it once")
    create.add_argument("--name", required=True)
    create.add_argument("--scope", action="append", required=True, choices=["ask", "read", "admin"])
    keys.add_parser("list", help="list keys (never the keys themselves)")
    revoke = keys.add_parser("revoke", help="revoke a key by name")
    revoke.add_argument("name")
    apikey.set_defaults(func=cmd_apikey)
    sub.add_parser("version", help="print the version").set_defaults(func=cmd_version)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `medqa` console script."""
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except CommandError as exc:
        print(f"medqa {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
