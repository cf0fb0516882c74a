"""Fixtures for the observability tests: the Prometheus binaries and the rule and dashboard sources."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

OBS = Path(__file__).resolve().parents[2] / "observability"
RULES_DIR = OBS / "prometheus" / "rules"
RULE_TESTS_DIR = OBS / "prometheus" / "tests"
RUNBOOKS_DIR = OBS / "runbooks"
DASHBOARDS_DIR = OBS / "grafana-dashboards"


@pytest.fixture(scope="session")
def promtool(tool: Callable[[str], Path]) -> Path:
    """promtool: the pinned tool if scripts/tools.sh has it, else Debian's `prometheus` package."""
    return tool("promtool")


@pytest.fixture(scope="session")
def prometheus_bin(tool: Callable[[str], Path]) -> Path:
    """The Prometheus server binary from Debian's `prometheus` package."""
    return tool("prometheus")


def run(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run a command and capture its output as text."""
    return subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def rule_files() -> list[Path]:
    """The rule files, in the order the renderer reads them."""
    return sorted(RULES_DIR.glob("*.rules.yml"))


def all_rules() -> list[dict[str, Any]]:
    """Every rule (recording and alerting) of every group."""
    rules: list[dict[str, Any]] = []
    for path in rule_files():
        for group in yaml.safe_load(path.read_text())["groups"]:
            rules.extend(group["rules"])
    return rules


def alerts() -> list[dict[str, Any]]:
    """Every alerting rule."""
    return [rule for rule in all_rules() if "alert" in rule]


def recorded_names() -> set[str]:
    """Names of the series the recording rules produce."""
    return {rule["record"] for rule in all_rules() if "record" in rule}
