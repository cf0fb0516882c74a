"""Typed settings read once from the environment; invalid values fail start-up with one clear line."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TypeVar
from urllib.parse import urlsplit

ENVIRONMENTS = ("dev", "test", "staging", "prod")
LOG_FORMATS = ("json", "console")
LOG_LEVELS = ("debug", "info", "warning", "error")
DEFAULT_MODEL = "gemini-3.8-flash"
DEFAULT_DATABASE_URL = "sqlite:///medqa.sqlite"
DATABASE_AUTHS = ("password", "entra")
# The locales of app/safety/rules/guidance.yaml (a unit test keeps the two equal; settings import no app module).
LOCALES = ("intl", "gb", "us", "eu")
# What the webhook injects: a test that parses a rendered pod's environment must add these itself.
WEBHOOK_VARIABLES = ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST")
_WEBHOOK_HINT = "the AKS workload identity webhook sets it for pods labelled azure.workload.identity/use=true"
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

T = TypeVar("T")


class ConfigError(ValueError):
    """A configuration variable has a value the service cannot run with."""


@dataclass(frozen=True, slots=True)
class EntraLogin:
    """Where the workload identity's federated token is and whom it names (read from the AZURE_* variables)."""

    client_id: str
    tenant_id: str
    token_file: str
    authority_host: str | None = None

    @classmethod
    def for_database(cls, database_url: str, env: Mapping[str, str]) -> EntraLogin:
        """Check the URL names the identity without a password, then read the AZURE_* variables.

        Raises ValueError starting with the variable's name (the URL itself is never shown).
        """
        if not database_url.startswith(("postgres://", "postgresql://")):
            raise ValueError("MEDQA_DATABASE_URL: MEDQA_DATABASE_AUTH=entra needs a postgres:// URL")
        parts = urlsplit(database_url)
        if not parts.username:
            raise ValueError("MEDQA_DATABASE_URL: must name the identity as user when MEDQA_DATABASE_AUTH=entra")
        if parts.password is not None:
            raise ValueError("MEDQA_DATABASE_URL: must carry no password when MEDQA_DATABASE_AUTH=entra")
        return cls.from_env(env)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> EntraLogin:
        """Read and check the AZURE_* variables; raise ValueError starting with the variable's name."""
        values = {}
        for name in WEBHOOK_VARIABLES[:3]:
            value = env.get(name, "").strip()
            if not value:
                raise ValueError(f"{name}: required when MEDQA_DATABASE_AUTH=entra ({_WEBHOOK_HINT})")
            values[name] = value
        authority = env.get("AZURE_AUTHORITY_HOST", "").strip() or None
        if authority is not None:
            parts = urlsplit(authority)
            if parts.scheme != "https" or not parts.netloc:
                raise ValueError(f"AZURE_AUTHORITY_HOST: must be an https:// URL, got {authority!r}")
        _check_readable(values["AZURE_FEDERATED_TOKEN_FILE"])
        token_file = values["AZURE_FEDERATED_TOKEN_FILE"]
        return cls(values["AZURE_CLIENT_ID"], values["AZURE_TENANT_ID"], token_file, authority)


def _check_readable(path: str) -> None:
    try:
        with open(path, encoding="utf-8") as file:
            content = file.read(1)
    except OSError as exc:
        raise ValueError(f"AZURE_FEDERATED_TOKEN_FILE: cannot read {path} ({type(exc).__name__})") from None
    if not content:
        raise ValueError(f"AZURE_FEDERATED_TOKEN_FILE: {path} is empty")


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service reads from its environment."""

    env: str = "dev"
    """Deployment environment: dev, test, staging or prod (prod refuses demo mode)."""
    host: str = "127.0.0.1"
    """Interface to listen on."""
    port: int = 8000
    """TCP port to listen on."""
    database_url: str = DEFAULT_DATABASE_URL
    """sqlite:///path (embedded default) or postgres://user:pass@host:port/db."""
    database_auth: str = "password"
    """password (the URL carries the credentials) or entra (a workload-identity token is the password)."""
    entra: EntraLogin | None = None
    """The workload identity (from the AZURE_* variables) when database_auth is entra."""
    gemini_api_key: str | None = field(default=None, repr=False)
    """Gemini API key; without it the service runs in demo mode against an in-process fake."""
    gemini_model: str = DEFAULT_MODEL
    """Gemini model id."""
    gemini_base_url: str | None = None
    """Optional Gemini endpoint override (the local fake in tests)."""
    gemini_timeout_s: float = 25.0
    """Total time budget for one question, retries included."""
    gemini_max_retries: int = 2
    """Retries after the first attempt on 429/500/503 and transport errors."""
    gemini_retry_delay_cap_s: float = 4.0
    """Longest back-off we accept, including Gemini's own retryDelay."""
    gemini_max_output_tokens: int = 1024
    """Upper bound on answer length in tokens."""
    log_level: str = "info"
    """debug, info, warning or error."""
    log_format: str = "json"
    """json (one object per line) or console."""
    db_timeout_s: float = 5.0
    """Longest wait for one database operation before answering 503."""
    locale: str = "intl"
    """Which emergency numbers the fixed guidance names: intl, gb, us or eu (app/safety/rules/guidance.yaml)."""
    retention_days: int = 30
    """`medqa purge` deletes records older than this many days."""
    ask_requires_key: bool = False
    """When true, POST /ask needs an API key with the `ask` scope; otherwise it is open (a public chatbot)."""
    rate_limit: tuple[str, int] = ("minute", 30)
    """Questions per client and period, from MEDQA_RATE_LIMIT such as `30/minute`."""
    trusted_proxies: tuple[str, ...] = ()
    """CIDRs whose X-Forwarded-For is believed (the ingress controller), from MEDQA_TRUSTED_PROXIES."""
    cors_origins: tuple[str, ...] = ()
    """Origins allowed by CORS (comma-separated MEDQA_CORS_ORIGINS); CORS is off when empty."""
    max_inflight: int = 200
    """Questions answered at once; past this a new question gets 503 at once instead of queueing."""
    breaker_threshold: int = 5
    """Model failures in a row that open the circuit breaker."""
    breaker_cooldown_s: float = 30.0
    """How long the open breaker answers 503 without calling the model."""
    history_turns: int = 6
    """Earlier turns of a conversation sent with a follow-up question."""
    history_chars: int = 8000
    """Upper bound on the characters of those earlier turns (the oldest are dropped first)."""
    auto_migrate: bool = True
    """Apply migrations when `serve` starts; only ever honoured in dev and test (prod runs `medqa migrate`)."""
    front_door_id: str | None = None
    """Azure Front Door profile id; when set, requests without this X-Azure-FDID get 403 (probes exempt)."""
    workers: int = 1
    """uvicorn worker processes of `medqa serve` (MEDQA_WORKERS); match the pod's CPU limit in whole cores."""

    @property
    def demo_mode(self) -> bool:
        """True when no Gemini key is configured and the in-process fake answers."""
        return not self.gemini_api_key

    @property
    def is_postgres(self) -> bool:
        """True when the database URL points at PostgreSQL."""
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate settings; raise ConfigError naming the first bad variable."""
        env = os.environ if environ is None else environ
        base = cls()

        def read(name: str, default: T, parse: Callable[[str], T]) -> T:
            raw = env.get(name)
            if raw is None or raw.strip() == "":
                return default
            try:
                return parse(raw.strip())
            except ValueError as exc:
                raise ConfigError(f"{name}: {exc}") from None

        settings = cls(
            env=read("MEDQA_ENV", base.env, _choice(ENVIRONMENTS)),
            host=read("MEDQA_HOST", base.host, str),
            port=read("MEDQA_PORT", base.port, _int_between(1, 65535)),
            database_url=read("MEDQA_DATABASE_URL", base.database_url, _database_url),
            gemini_api_key=read("GEMINI_API_KEY", None, str),
            gemini_model=read("MEDQA_GEMINI_MODEL", base.gemini_model, _model_name),
            gemini_base_url=read("MEDQA_GEMINI_BASE_URL", None, _http_url),
            gemini_timeout_s=read("MEDQA_GEMINI_TIMEOUT_S", base.gemini_timeout_s, _float_between(0.1, 300)),
            gemini_max_retries=read("MEDQA_GEMINI_MAX_RETRIES", base.gemini_max_retries, _int_between(0, 5)),
            gemini_retry_delay_cap_s=read(
                "MEDQA_GEMINI_RETRY_DELAY_CAP_S", base.gemini_retry_delay_cap_s, _float_between(0, 60)
            ),
            gemini_max_output_tokens=read(
                "MEDQA_GEMINI_MAX_OUTPUT_TOKENS", base.gemini_max_output_tokens, _int_between(16, 65536)
            ),
            log_level=read("MEDQA_LOG_LEVEL", base.log_level, _choice(LOG_LEVELS)),
            log_format=read("MEDQA_LOG_FORMAT", base.log_format, _choice(LOG_FORMATS)),
            db_timeout_s=read("MEDQA_DB_TIMEOUT_S", base.db_timeout_s, _float_between(0.1, 60)),
            auto_migrate=read("MEDQA_AUTO_MIGRATE", base.auto_migrate, _bool),
            locale=read("MEDQA_LOCALE", base.locale, _locale),
            max_inflight=read("MEDQA_MAX_INFLIGHT", base.max_inflight, _int_between(1, 100_000)),
            breaker_threshold=read("MEDQA_BREAKER_THRESHOLD", base.breaker_threshold, _int_between(1, 1000)),
            breaker_cooldown_s=read("MEDQA_BREAKER_COOLDOWN_S", base.breaker_cooldown_s, _float_between(0.1, 3600)),
            history_turns=read("MEDQA_HISTORY_TURNS", base.history_turns, _int_between(0, 50)),
            history_chars=read("MEDQA_HISTORY_CHARS", base.history_chars, _int_between(0, 100_000)),
            retention_days=read("MEDQA_RETENTION_DAYS", base.retention_days, _int_between(1, 3650)),
            ask_requires_key=read("MEDQA_ASK_REQUIRES_KEY", base.ask_requires_key, _bool),
            rate_limit=read("MEDQA_RATE_LIMIT", base.rate_limit, _rate_limit),
            trusted_proxies=read("MEDQA_TRUSTED_PROXIES", base.trusted_proxies, _cidrs),
            cors_origins=read("MEDQA_CORS_ORIGINS", base.cors_origins, _origins),
            front_door_id=read("MEDQA_FRONT_DOOR_ID", None, _guid),
            database_auth=read("MEDQA_DATABASE_AUTH", base.database_auth, _choice(DATABASE_AUTHS)),
            workers=read("MEDQA_WORKERS", base.workers, _int_between(1, 64)),
        )
        if settings.env == "prod" and settings.demo_mode:
            raise ConfigError("GEMINI_API_KEY: required when MEDQA_ENV=prod (demo mode is refused in prod)")
        if settings.database_auth == "entra":
            settings = replace(settings, entra=_entra_login(settings.database_url, env))
        return settings


def _entra_login(database_url: str, env: Mapping[str, str]) -> EntraLogin:
    try:
        return EntraLogin.for_database(database_url, env)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.lower()
        if value not in options:
            raise ValueError(f"must be one of {', '.join(options)}, got {raw!r}")
        return value

    return parse


def _int_between(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"must be an integer, got {raw!r}") from None
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}, got {value}")
        return value

    return parse


def _float_between(low: float, high: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"must be a number, got {raw!r}") from None
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}, got {value}")
        return value

    return parse


def _bool(raw: str) -> bool:
    value = raw.lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"must be true or false, got {raw!r}")


def _locale(raw: str) -> str:
    value = raw.lower()
    if value not in LOCALES:
        raise ValueError(f"must be one of {', '.join(sorted(LOCALES))}, got {raw!r}")
    return value


def _rate_limit(raw: str) -> tuple[str, int]:
    match = re.fullmatch(r"(\d+)\s*/\s*(second|minute|hour|day)", raw.lower())
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"must look like 30/minute (per second, minute, hour or day), got {raw!r}")
    return match.group(2), int(match.group(1))


def _cidrs(raw: str) -> tuple[str, ...]:
    try:
        return tuple(str(ipaddress.ip_network(part.strip(), strict=False)) for part in raw.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"must be comma-separated CIDRs such as 10.0.0.0/8, got {raw!r}") from None


def _origins(raw: str) -> tuple[str, ...]:
    origins = tuple(part.strip().rstrip("/") for part in raw.split(",") if part.strip())
    for origin in origins:
        if not origin.startswith(("http://", "https://")):
            raise ValueError(f"must be comma-separated http(s) origins, got {origin!r}")
    return origins


def _database_url(raw: str) -> str:
    if raw.startswith("sqlite:///") and len(raw) > len("sqlite:///"):
        return raw
    if raw.startswith(("postgres://", "postgresql://")):
        return raw
    raise ValueError("must start with sqlite:/// or postgres:// (the value is not shown: it may hold a password)")


def _http_url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ValueError(f"must be an http:// or https:// URL, got {raw!r}")
    return raw.rstrip("/")


def _guid(raw: str) -> str:
    value = raw.lower()
    if not _GUID.fullmatch(value):
        raise ValueError("must be a GUID such as 6f1c2b3a-0d4e-4f5a-9b8c-7d6e5f4a3b2c (the value is not shown)")
    return value


def _model_name(raw: str) -> str:
    if "/" in raw or " " in raw:
        raise ValueError(f"must be a bare model id such as {DEFAULT_MODEL!r}, got {raw!r}")
    return raw
