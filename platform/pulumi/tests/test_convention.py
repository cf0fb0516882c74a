"""Names and tags follow platform/conventions.json exactly as the Terraform naming module does."""

from __future__ import annotations

import json
from pathlib import Path

import convention
import pytest

CONVENTION = json.loads((Path(__file__).resolve().parents[2] / "conventions.json").read_text())


def terraform_name(kind: str, environment: str, location: str) -> str:
    """The name Terraform's naming module gives (its locals.tf rules, written out independently)."""
    values = {
        "abbr": CONVENTION["abbreviations"][kind],
        "workload": CONVENTION["workload"],
        "environment": environment,
        "region": CONVENTION["regions"][location],
    }
    if kind in CONVENTION["compact_kinds"]:
        return CONVENTION["compact_name_pattern"].format(**values)[: CONVENTION["max_length"].get(kind, 63)]
    return CONVENTION["name_pattern"].format(**values)


@pytest.mark.parametrize("kind", sorted(CONVENTION["abbreviations"]))
@pytest.mark.parametrize(
    ("environment", "location"),
    [("perf", "westeurope"), ("dr", "northeurope"), ("preview", "eastus2")],
)
def test_names_without_instance_equal_terraform(kind: str, environment: str, location: str) -> None:
    """An environment named after its kind gets exactly Terraform's names."""
    assert convention.Naming(environment, location).name(kind) == terraform_name(kind, environment, location)


def test_known_names_spelled_out() -> None:
    """A few names written out literally, so a broken pattern cannot pass by agreeing with itself."""
    perf = convention.Naming("perf", "westeurope")
    assert perf.name("kubernetes_cluster") == "aks-medqa-perf-weu"
    assert perf.name("key_vault") == "kvmedqaperfweu"
    assert perf.name("resource_group") == "rg-medqa-perf-weu"


def test_instance_is_appended_after_the_convention_name() -> None:
    """Several previews coexist: the instance follows the convention's name, compact names drop dashes."""
    naming = convention.Naming("preview", "westeurope", "pr-123")
    assert naming.name("user_assigned_identity") == "id-medqa-preview-weu-pr-123"
    assert naming.name("key_vault") == "kvmedqapreviewweupr123"
    assert naming.name("resource_group") == terraform_name("resource_group", "preview", "westeurope") + "-pr-123"


def test_compact_name_too_long_is_refused_not_truncated() -> None:
    """Truncating would cut the instance, so two environments could share one vault name."""
    with pytest.raises(convention.ConventionError, match="more than the 24 Azure allows"):
        convention.Naming("preview", "eastus2", "pr-12345").name("key_vault")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("qa", "westeurope"), "environment 'qa' is not in conventions.json"),
        (("perf", "mars"), "location 'mars' has no region code"),
        (("perf", "westeurope", "PR_1"), "lower-case letters, digits and dashes"),
    ],
)
def test_unknown_values_are_refused(args: tuple[str, ...], message: str) -> None:
    """Environments, regions and instances outside the convention are refused with the reason."""
    with pytest.raises(convention.ConventionError, match=message):
        convention.Naming(*args)


def test_unknown_kind_is_refused() -> None:
    """A kind without an abbreviation has no conventional name."""
    with pytest.raises(convention.ConventionError, match="no abbreviation"):
        convention.Naming("perf", "westeurope").name("spaceship")


def test_tags_carry_every_required_key_for_short_lived_environments() -> None:
    """Required tags plus expires_on; managed_by says pulumi; fixed values come from the convention."""
    tags = convention.tags("preview", "team-medqa", "cc-1", "2026-12-01", extra={"x": "y"})
    assert set(CONVENTION["required_tags"]) | set(CONVENTION["short_lived_required_tags"]) <= set(tags)
    assert tags == {
        "x": "y",
        "workload": CONVENTION["tag_values"]["workload"],
        "environment": "preview",
        "owner": "team-medqa",
        "cost_center": "cc-1",
        "managed_by": "pulumi",
        "repository": CONVENTION["tag_values"]["repository"],
        "expires_on": "2026-12-01",
    }
    assert convention.required_tag_keys("preview") == CONVENTION["required_tags"] + ["expires_on"]
    assert convention.required_tag_keys("prod") == CONVENTION["required_tags"]


def test_extra_tags_cannot_override_required_ones() -> None:
    """Like Terraform's merge(extra, required): the required value wins."""
    tags = convention.tags(
        "perf",
        "o",
        "c",
        "2026-12-01",
        extra={"environment": "prod", "managed_by": "me"},
    )
    assert tags["environment"] == "perf"
    assert tags["managed_by"] == "pulumi"


@pytest.mark.parametrize(
    ("owner", "cost_center", "expires_on", "message"),
    [
        ("o", "c", None, "needs an expires_on tag"),
        (" ", "c", "2026-12-01", "must not be empty"),
        ("o", "", "2026-12-01", "must not be empty"),
    ],
)
def test_incomplete_tags_are_refused(owner: str, cost_center: str, expires_on: str | None, message: str) -> None:
    """A short-lived environment without expiry, owner or cost centre is refused."""
    with pytest.raises(convention.ConventionError, match=message):
        convention.tags("preview", owner, cost_center, expires_on)


def test_long_lived_environments_need_no_expiry() -> None:
    """The rule is the convention's: only short-lived environments must expire."""
    assert "expires_on" not in convention.tags("prod", "o", "c", None)
