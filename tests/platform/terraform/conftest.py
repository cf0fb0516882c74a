"""Fixtures for the Terraform checks: run scripts/terraform-check.sh on the real tree or a faulty copy."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
TF_DIR = REPO / "platform" / "terraform"
CHECK = REPO / "scripts" / "terraform-check.sh"

Check = Callable[..., subprocess.CompletedProcess[str]]


def run_check(*steps: str, tf_dir: Path = TF_DIR, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the check script on tf_dir for the given steps; extra environment via keywords."""
    merged = {**os.environ, "MEDQA_TF_DIR": str(tf_dir), **env}
    return subprocess.run(
        ["bash", str(CHECK), *steps],
        capture_output=True,
        text=True,
        env=merged,
        timeout=1800,
        check=False,
    )


@pytest.fixture(scope="session")
def providers(tool: Callable[[str], Path]) -> Path:
    """The offline provider mirror (skips, or fails under MEDQA_REQUIRE_TOOLS=1, when it is not built)."""
    tool("terraform")
    return tool("terraform-providers")


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    """A throw-away copy of platform/terraform with conventions.json beside it, for fault injection."""
    platform = tmp_path / "platform"
    platform.mkdir()
    shutil.copy(REPO / "platform" / "conventions.json", platform / "conventions.json")
    ignore = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*")
    shutil.copytree(TF_DIR, platform / "terraform", ignore=ignore)
    return platform / "terraform"


def replace_in(path: Path, old: str, new: str) -> None:
    """Replace exactly one occurrence of old in path (fails loudly if the fault cannot be injected)."""
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} must occur exactly once in {path}"
    path.write_text(text.replace(old, new))
