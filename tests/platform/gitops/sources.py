"""Checks on the overlay sources (not renders): kustomization files, platform.env and config.env."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import yaml

Doc = dict[str, Any]

CONTRACT = Path(__file__).parents[3] / "docs" / "platform-contract.md"


def contract_wiring_keys() -> list[str]:
    """The keys of the wiring table in docs/platform-contract.md, in its order: the Terraform output gitops_wiring."""
    table = CONTRACT.read_text(encoding="utf-8").split("## The wiring keys", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([A-Z_]+)` \|", table, re.MULTILINE)


WIRING_KEYS = tuple(contract_wiring_keys())
INDEX_SEGMENT = re.compile(r"(^|[/.])(\d+|-)($|[/.])")


def index_paths(kustomization: Doc) -> list[str]:
    """List positions in patches (JSON 6902 `path`) or replacement field paths: both break when a list changes."""
    found = []
    for patch in kustomization.get("patches", []):
        for op in _json6902_ops(patch.get("patch", "")):
            if INDEX_SEGMENT.search(str(op.get("path", ""))):
                found.append(f"patch on {patch.get('target')}: index path {op['path']}")
    for replacement in kustomization.get("replacements", []):
        for target in replacement.get("targets", []):
            for path in target.get("fieldPaths", []):
                if INDEX_SEGMENT.search(path):
                    found.append(f"replacement target {target.get('select')}: index path {path}")
    return found


def _json6902_ops(text: str) -> list[Doc]:
    parsed = yaml.safe_load(text) if text else None
    return [op for op in parsed if isinstance(op, dict)] if isinstance(parsed, list) else []


def parse_env(text: str) -> tuple[dict[str, str], list[str]]:
    """KEY=value lines (comments and blanks skipped) and the problems found reading them."""
    values: dict[str, str] = {}
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not value:
            problems.append(f"line {number}: not KEY=value")
        elif key in values:
            problems.append(f"line {number}: {key} given twice")
        else:
            values[key] = value
    return values, problems


def platform_env_problems(text: str) -> list[str]:
    """platform.env holds exactly the wiring keys, each once and non-empty."""
    values, problems = parse_env(text)
    missing = [k for k in WIRING_KEYS if k not in values]
    extra = sorted(set(values) - set(WIRING_KEYS))
    if missing:
        problems.append(f"missing wiring keys {missing}")
    if extra:
        problems.append(f"keys outside the contract {extra}")
    return problems


def config_agrees_with_wiring(config: dict[str, str], wiring: dict[str, str]) -> list[str]:
    """config.env carries the wiring's database login, proxies and Front Door id (Entra, no password)."""
    url = (
        f"postgresql://{wiring['POSTGRES_USER']}@{wiring['POSTGRES_HOST']}:5432/"
        f"{wiring['POSTGRES_DATABASE']}?sslmode=require"
    )
    want = {
        "MEDQA_ENV": wiring["ENVIRONMENT"],
        "MEDQA_DATABASE_AUTH": "entra",
        "MEDQA_DATABASE_URL": url,
        "MEDQA_TRUSTED_PROXIES": wiring["POD_CIDR"],
        "MEDQA_FRONT_DOOR_ID": wiring["FRONT_DOOR_ID"],
    }
    return [f"config.env {k}={config.get(k)!r}, want {v!r}" for k, v in want.items() if config.get(k) != v]


def postgres_subnet(address_space: str) -> str:
    """The PostgreSQL subnet Terraform carves (modules/network: cidrsubnet(space, 27 - prefix, 64))."""
    network = ipaddress.ip_network(address_space)
    return str(list(network.subnets(new_prefix=27))[64])
