"""Every stack configuration read of the project, validated into one typed EnvironmentConfig."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import convention
import pulumi
from components import guardrails

NAMESPACE = "medqa"
SHAPES = ("shared-cluster", "dedicated")
NAME_PATTERN = re.compile(r"[a-z][a-z0-9-]{0,10}[a-z0-9]")
DEFAULT_LOCATION = "westeurope"
# Where each long-lived environment's infrastructure lives instead (a Terraform root per environment).
TERRAFORM_ROOT = "platform/terraform/environments/{}"


class ConfigError(ValueError):
    """The stack configuration breaks a rule; the message lists every problem."""


@dataclass(frozen=True)
class CoreStateRef:
    """Where the Terraform state of the core (dev) environment lives."""

    backend: str
    organization: str | None = None
    workspace: str | None = None
    hostname: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class ClusterSettings:
    """Size and network of the AKS cluster of a dedicated environment."""

    vm_size: str = "Standard_D2s_v5"
    node_count: int = 1
    max_node_count: int = 2
    kubernetes_version: str = "1.34"
    address_space: str = "10.50.0.0/16"
    authorized_ip_ranges: tuple[str, ...] = ()


@dataclass(frozen=True)
class PostgresSettings:
    """Size of the PostgreSQL Flexible Server of a dedicated environment."""

    sku_name: str = "Standard_B1ms"
    storage_gb: int = 32
    version: str = "17"


@dataclass(frozen=True)
class EnvironmentConfig:
    """One extra environment: what it is, who pays, when it ends, and its shape's settings."""

    name: str
    environment: str
    shape: str
    location: str
    owner: str
    cost_center: str
    expires_on: str
    core: CoreStateRef
    cluster: ClusterSettings = field(default_factory=ClusterSettings)
    postgres: PostgresSettings = field(default_factory=PostgresSettings)

    @property
    def instance(self) -> str | None:
        """The name suffix that tells this environment from others of its kind (None when name == kind)."""
        return None if self.name == self.environment else self.name

    @property
    def naming(self) -> convention.Naming:
        """Resource names per the shared convention."""
        return convention.Naming(self.environment, self.location, self.instance)

    @property
    def tags(self) -> dict[str, str]:
        """Tags per the shared convention, plus the environment's own name."""
        return convention.tags(
            self.environment,
            self.owner,
            self.cost_center,
            self.expires_on,
            extra={"environment_name": self.name},
        )

    @property
    def namespace(self) -> str:
        """The Kubernetes namespace the service runs in (its own one on a shared cluster)."""
        return f"medqa-{self.name}" if self.shape == "shared-cluster" else "medqa"


def long_lived_message(environment: str) -> str:
    """Why Pulumi refuses a long-lived environment, and where it is managed instead."""
    return (
        f"environment {environment!r} is long-lived: Terraform owns it in {TERRAFORM_ROOT.format(environment)}; "
        "Pulumi creates only extra ones (perf, dr, preview)"
    )


def _text(raw: Mapping[str, Any], key: str, problems: list[str]) -> str:
    """A required non-empty string, or a problem recorded."""
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{key} is required")
        return ""
    return value


def _core(raw: Any, problems: list[str]) -> CoreStateRef:
    """Parse the reference to the core Terraform state."""
    if not isinstance(raw, Mapping):
        problems.append("core is required: where to read the dev environment's Terraform outputs")
        return CoreStateRef(backend="")
    ref = CoreStateRef(
        backend=str(raw.get("backend") or ""),
        organization=raw.get("organization"),
        workspace=raw.get("workspace"),
        hostname=raw.get("hostname"),
        path=raw.get("path"),
    )
    if ref.backend == "remote" and not (ref.organization and ref.workspace):
        problems.append("core.organization and core.workspace are required for the remote backend")
    elif ref.backend == "local" and not ref.path:
        problems.append("core.path is required for the local backend")
    elif ref.backend not in ("remote", "local"):
        problems.append(f"core.backend must be 'remote' or 'local', got {ref.backend!r}")
    return ref


def _settings(cls: type[Any], raw: Any, key: str, problems: list[str]) -> Any:
    """Build a settings dataclass from its camelCase config object."""
    if raw is None:
        return cls()
    if not isinstance(raw, Mapping):
        problems.append(f"{key} must be an object")
        return cls()
    fields = {re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name): name for name in cls.__dataclass_fields__}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        problems.append(f"{key} has unknown keys: {', '.join(unknown)} (known: {', '.join(sorted(fields))})")
    values = {fields[k]: v for k, v in raw.items() if k in fields}
    if "authorized_ip_ranges" in values:
        values["authorized_ip_ranges"] = tuple(values["authorized_ip_ranges"])
    defaults = cls()
    for name, value in values.items():
        if type(value) is not type(getattr(defaults, name)):
            problems.append(f"{key}.{name} has the wrong type: {value!r}")
            return defaults
    return cls(**values)


def parse(name: str, raw: Mapping[str, Any], today: date) -> EnvironmentConfig:
    """Validate a stack's raw config values; raise ConfigError naming every problem."""
    problems: list[str] = []
    known = convention.load()
    if not NAME_PATTERN.fullmatch(name):
        problems.append(f"environment name {name!r} must be 2-12 lower-case letters, digits or dashes")
    environment = _text(raw, "environment", problems)
    if environment in known["long_lived_environments"]:
        problems.append(long_lived_message(environment))
    elif environment and environment not in known["environments"]:
        problems.append(f"environment {environment!r} is not one of {', '.join(known['environments'])}")
    shape = _text(raw, "shape", problems)
    if shape and shape not in SHAPES:
        problems.append(f"shape must be one of {', '.join(SHAPES)}, got {shape!r}")
    elif environment in guardrails.ALLOWED_SHAPES and shape not in guardrails.ALLOWED_SHAPES[environment]:
        problems.append(f"a {environment} environment must be {' or '.join(guardrails.ALLOWED_SHAPES[environment])}")
    location = raw.get("location") or DEFAULT_LOCATION
    if location not in known["regions"]:
        problems.append(f"location {location!r} has no region code in conventions.json")
    owner = _text(raw, "owner", problems)
    cost_center = _text(raw, "costCenter", problems)
    expires_on = raw.get("expiresOn")
    if environment in guardrails.MAX_LIFETIME_DAYS:
        problems += guardrails.expiry_problems(environment, expires_on, today)
    core = _core(raw.get("core"), problems)
    cluster = _settings(ClusterSettings, raw.get("cluster"), "cluster", problems)
    postgres = _settings(PostgresSettings, raw.get("postgres"), "postgres", problems)
    if shape == "dedicated":
        problems += guardrails.dedicated_name_problems(name, environment)
        problems += guardrails.node_problems(cluster.vm_size, cluster.node_count, cluster.max_node_count)
        problems += guardrails.address_space_problems(cluster.address_space)
        problems += guardrails.postgres_problems(postgres.sku_name, postgres.storage_gb, postgres.version)
    if problems:
        raise ConfigError(f"invalid configuration for environment {name!r}:\n- " + "\n- ".join(problems))
    config = EnvironmentConfig(
        name,
        environment,
        shape,
        location,
        owner,
        cost_center,
        str(expires_on),
        core,
        cluster,
        postgres,
    )
    try:
        for kind in known["compact_kinds"]:
            config.naming.name(kind)
    except convention.ConventionError as error:
        raise ConfigError(f"invalid configuration for environment {name!r}:\n- {error}") from error
    return config


def _read_all(cfg: pulumi.Config) -> dict[str, Any]:
    """Read every key of the medqa namespace this project knows."""
    plain = ("environment", "shape", "location", "owner", "costCenter", "expiresOn")
    raw: dict[str, Any] = {key: cfg.get(key) for key in plain}
    for key in ("core", "cluster", "postgres"):
        raw[key] = cfg.get_object(key)
    return raw


def load(today: date | None = None) -> EnvironmentConfig:
    """Read and validate the current stack's configuration."""
    return parse(pulumi.get_stack(), _read_all(pulumi.Config(NAMESPACE)), today or date.today())


def gemini_api_key() -> pulumi.Output[str]:
    """The Gemini API key for the environment's Key Vault (a secret config value)."""
    key = pulumi.Config(NAMESPACE).get_secret("geminiApiKey")
    if key is None:
        raise ConfigError("geminiApiKey is required: pulumi config set --secret medqa:geminiApiKey <key>")
    return key


def core_token() -> pulumi.Output[str] | None:
    """The token for a remote Terraform backend (secret), when the environment variables do not carry it."""
    return pulumi.Config(NAMESPACE).get_secret("coreToken")
