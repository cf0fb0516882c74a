"""Stack configs are validated before any resource exists, and every refusal says why."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import config
import pytest
import yaml
from components import guardrails

TODAY = date(2026, 11, 25)
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def raw(**changes: Any) -> dict[str, Any]:
    """A valid shared-cluster preview config with ``changes`` applied (None removes a key)."""
    values: dict[str, Any] = {
        "environment": "preview",
        "shape": "shared-cluster",
        "owner": "team-medqa",
        "costCenter": "cc-4711",
        "expiresOn": "2026-12-01",
        "core": {
            "backend": "remote",
            "organization": "medqa",
            "workspace": "medqa-dev",
        },
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def dedicated(**changes: Any) -> dict[str, Any]:
    """A valid dedicated perf config with ``changes`` applied."""
    return raw(environment="perf", shape="dedicated", **changes)


def test_valid_shared_cluster_config() -> None:
    """Defaults fill location and sizes; derived names follow the convention."""
    cfg = config.parse("pr-123", raw(), TODAY)
    assert (cfg.environment, cfg.shape, cfg.location, cfg.instance) == (
        "preview",
        "shared-cluster",
        "westeurope",
        "pr-123",
    )
    assert cfg.namespace == "medqa-pr-123"
    assert cfg.naming.name("key_vault") == "kvmedqapreviewweupr123"
    assert cfg.tags["expires_on"] == "2026-12-01"
    assert cfg.tags["environment_name"] == "pr-123"


def test_valid_dedicated_config_with_sizes() -> None:
    """Sizes within the caps are accepted; an environment named after its kind has no instance."""
    cfg = config.parse(
        "perf",
        dedicated(
            cluster={"vmSize": "Standard_D4s_v5", "nodeCount": 2, "maxNodeCount": 3},
            postgres={"storageGb": 64},
        ),
        TODAY,
    )
    assert cfg.instance is None
    assert cfg.namespace == "medqa"
    assert (cfg.cluster.vm_size, cfg.cluster.node_count, cfg.postgres.storage_gb) == (
        "Standard_D4s_v5",
        2,
        64,
    )


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("Pulumi.*.yaml")), ids=lambda p: p.name)
def test_example_stack_files_are_valid(path: Path) -> None:
    """The committed examples pass validation (on a day before their expiry)."""
    values = yaml.safe_load(path.read_text())["config"]
    name = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
    cfg = config.parse(name, {k.removeprefix("medqa:"): v for k, v in values.items()}, TODAY)
    assert cfg.name == name


@pytest.mark.parametrize(
    ("name", "values", "message"),
    [
        (
            "dev",
            raw(environment="dev"),
            "environment 'dev' is long-lived: Terraform owns it in platform/terraform/environments/dev",
        ),
        ("pr-1", raw(environment="qa"), "environment 'qa' is not one of"),
        ("pr-1", raw(environment=None), "environment is required"),
        (
            "pr-1",
            raw(shape="serverless"),
            "shape must be one of shared-cluster, dedicated",
        ),
        ("dr", raw(environment="dr"), "a dr environment must be dedicated"),
        (
            "pr-1",
            raw(expiresOn=None),
            "expiresOn is required for a preview environment",
        ),
        (
            "pr-1",
            raw(expiresOn="01.12.2026"),
            "expiresOn must be a date in the form YYYY-MM-DD",
        ),
        (
            "pr-1",
            raw(expiresOn="20261201"),
            "expiresOn must be a date in the form YYYY-MM-DD",
        ),
        ("pr-1", raw(expiresOn="2026-11-24"), "expiresOn 2026-11-24 is in the past"),
        (
            "pr-1",
            raw(expiresOn="2026-12-31"),
            "more than 14 days ahead, the limit for a preview",
        ),
        ("pr-1", raw(owner=" "), "owner is required"),
        ("pr-1", raw(costCenter=None), "costCenter is required"),
        ("pr-1", raw(location="mars"), "location 'mars' has no region code"),
        ("PR_1", raw(), "environment name 'PR_1' must be 2-12 lower-case"),
        ("pr-1234567", raw(), "more than the 24 Azure allows"),
        ("pr-1", raw(core=None), "core is required"),
        (
            "pr-1",
            raw(core={"backend": "remote", "organization": "o"}),
            "core.organization and core.workspace",
        ),
        (
            "pr-1",
            raw(core={"backend": "local"}),
            "core.path is required for the local backend",
        ),
        (
            "pr-1",
            raw(core={"backend": "s3"}),
            "core.backend must be 'remote' or 'local'",
        ),
        (
            "perf",
            dedicated(cluster={"vmSize": "Standard_E64s_v5"}),
            "cluster.vmSize 'Standard_E64s_v5' is not allowed",
        ),
        (
            "perf",
            dedicated(cluster={"nodeCount": 5, "maxNodeCount": 5}),
            "cluster.nodeCount must be between 1 and 3",
        ),
        (
            "perf",
            dedicated(cluster={"maxNodeCount": 10}),
            "cluster.maxNodeCount must be between nodeCount and 3",
        ),
        (
            "perf",
            dedicated(cluster={"nodeCount": "2"}),
            "cluster.node_count has the wrong type",
        ),
        ("perf", dedicated(cluster={"nodes": 2}), "cluster has unknown keys: nodes"),
        ("perf", dedicated(cluster="big"), "cluster must be an object"),
        (
            "perf",
            dedicated(cluster={"addressSpace": "8.8.0.0/16"}),
            "must be a private IPv4 block",
        ),
        (
            "perf",
            dedicated(cluster={"addressSpace": "10.0.0.0/24"}),
            "between a /16 and a /20",
        ),
        ("perf", dedicated(cluster={"addressSpace": "banana"}), "is not a CIDR block"),
        # The medqa AppProject admits dedicated clusters by these name patterns only.
        ("loadtest", dedicated(), "a dedicated perf environment's name must start with perf, got 'loadtest'"),
        (
            "perf",
            dedicated(postgres={"skuName": "Standard_D4ds_v5"}),
            "is not a burstable SKU",
        ),
        (
            "perf",
            dedicated(postgres={"storageGb": 1024}),
            "postgres.storageGb must be one of [32, 64]",
        ),
        (
            "perf",
            dedicated(postgres={"version": "12"}),
            "postgres.version must be one of",
        ),
    ],
)
def test_invalid_configs_are_refused_with_the_reason(name: str, values: dict[str, Any], message: str) -> None:
    """Each broken rule is named in the error, so the fix is obvious."""
    with pytest.raises(config.ConfigError) as error:
        config.parse(name, values, TODAY)
    assert message in str(error.value)
    assert f"invalid configuration for environment {name!r}" in str(error.value)


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_long_lived_environments_point_at_their_terraform_root(environment: str) -> None:
    """staging (and dev, prod) are refused with the Terraform root that manages them, which exists."""
    with pytest.raises(config.ConfigError) as error:
        config.parse("pr-1", raw(environment=environment), TODAY)
    root = f"platform/terraform/environments/{environment}"
    assert f"environment {environment!r} is long-lived: Terraform owns it in {root};" in str(error.value)


def test_every_problem_is_reported_at_once() -> None:
    """One run lists all problems rather than the first one."""
    with pytest.raises(config.ConfigError) as error:
        config.parse(
            "perf",
            dedicated(owner=None, cluster={"nodeCount": 9, "maxNodeCount": 9}, expiresOn=None),
            TODAY,
        )
    message = str(error.value)
    assert "owner is required" in message
    assert "cluster.nodeCount" in message
    assert "expiresOn is required" in message


def test_size_caps_apply_to_dedicated_only() -> None:
    """A shared-cluster environment creates no cluster or server, so their settings are not checked."""
    cfg = config.parse("pr-1", raw(cluster={"nodeCount": 3}), TODAY)
    assert cfg.cluster.node_count == 3


@pytest.mark.parametrize("environment", sorted(guardrails.MAX_LIFETIME_DAYS))
def test_lifetime_limit_is_inclusive(environment: str) -> None:
    """An expiry exactly at the limit is accepted; one day more is not."""
    limit = guardrails.MAX_LIFETIME_DAYS[environment]
    last = date.fromordinal(TODAY.toordinal() + limit).isoformat()
    assert guardrails.expiry_problems(environment, last, TODAY) == []
    after = date.fromordinal(TODAY.toordinal() + limit + 1).isoformat()
    assert guardrails.expiry_problems(environment, after, TODAY)
