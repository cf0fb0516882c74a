"""Names and tags from platform/conventions.json: the same rules the Terraform naming module applies."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CONVENTION_FILE = Path(__file__).resolve().parent.parent / "conventions.json"
MANAGED_BY = "pulumi"
# Terraform caps compact names without a max_length entry at 63 characters (lookup(..., 63)).
DEFAULT_MAX_LENGTH = 63


class ConventionError(ValueError):
    """A name or tag cannot follow the shared convention."""


@cache
def load(path: Path = CONVENTION_FILE) -> dict[str, Any]:
    """Return the parsed convention file (read once per process)."""
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@dataclass(frozen=True)
class Naming:
    """Resource names for one environment in one region, per the convention.

    ``instance`` tells apart several environments of one kind (``pr-123`` and ``pr-124`` are both
    ``preview``). The convention has no instance token yet, so it is appended after the
    convention's name: ``{name}-{instance}`` and, for compact kinds, ``{compactname}{instance}``.
    Without an instance the names are exactly Terraform's.
    """

    environment: str
    location: str
    instance: str | None = None

    def __post_init__(self) -> None:
        """Refuse environments and regions the convention does not list."""
        convention = load()
        if self.environment not in convention["environments"]:
            raise ConventionError(
                f"environment {self.environment!r} is not in conventions.json "
                f"(one of {', '.join(convention['environments'])})"
            )
        if self.location not in convention["regions"]:
            raise ConventionError(
                f"location {self.location!r} has no region code in conventions.json "
                f"(one of {', '.join(sorted(convention['regions']))})"
            )
        if self.instance is not None and not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", self.instance):
            raise ConventionError(f"instance {self.instance!r} must be lower-case letters, digits and dashes")

    @property
    def region_code(self) -> str:
        """The convention's short code for the location."""
        return str(load()["regions"][self.location])

    def name(self, kind: str) -> str:
        """The name of a resource of ``kind`` (a key of the convention's abbreviations)."""
        convention = load()
        abbreviations: dict[str, str] = convention["abbreviations"]
        if kind not in abbreviations:
            raise ConventionError(f"resource kind {kind!r} has no abbreviation in conventions.json")
        compact = kind in convention["compact_kinds"]
        pattern = convention["compact_name_pattern" if compact else "name_pattern"]
        base = str(
            pattern.replace("{abbr}", abbreviations[kind])
            .replace("{workload}", convention["workload"])
            .replace("{environment}", self.environment)
            .replace("{region}", self.region_code)
        )
        if not compact:
            return base if self.instance is None else f"{base}-{self.instance}"
        limit = int(convention["max_length"].get(kind, DEFAULT_MAX_LENGTH))
        if self.instance is None:
            return base[:limit]
        full = base + self.instance.replace("-", "")
        if len(full) > limit:
            # Truncating would cut the instance and make two environments share one name.
            raise ConventionError(
                f"the {kind} name {full!r} is {len(full)} characters, more than the {limit} Azure allows: "
                "choose a shorter environment name"
            )
        return full


def required_tag_keys(environment: str) -> list[str]:
    """The tag keys the convention requires for ``environment``."""
    convention = load()
    keys = list(convention["required_tags"])
    if environment not in convention["long_lived_environments"]:
        keys += convention["short_lived_required_tags"]
    return keys


def tags(
    environment: str,
    owner: str,
    cost_center: str,
    expires_on: str | None,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The tags for every resource: extra tags under the convention's required ones."""
    convention = load()
    if not owner.strip() or not cost_center.strip():
        raise ConventionError("the owner and cost_center tags must not be empty")
    required = {
        "workload": convention["tag_values"]["workload"],
        "environment": environment,
        "owner": owner,
        "cost_center": cost_center,
        "managed_by": MANAGED_BY,
        "repository": convention["tag_values"]["repository"],
    }
    if environment not in convention["long_lived_environments"]:
        if not expires_on:
            raise ConventionError(f"short-lived environment {environment!r} needs an expires_on tag")
        required["expires_on"] = expires_on
    return {**(extra or {}), **required}
