"""The contract check's fixtures: Terraform planned once per environment, and throw-away copies to break on purpose."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts" / "contract"))

import layers  # noqa: E402

# What a broken copy needs: the layers the contract reads (Terraform is planned from the real tree).
COPIED = ("gitops", "ansible", ".github", "platform/pulumi", "platform/conventions.json", "platform/placeholders.yaml")


@pytest.fixture(scope="session")
def plans(tool: Callable[[str], Path]) -> dict[str, layers.TerraformPlan]:
    """Each environment root planned with mock providers (skips, or fails in CI, without the provider mirror)."""
    tool("terraform")
    tool("terraform-providers")
    tool("kustomize")
    return {env: layers.plan_terraform(REPO, env) for env in layers.ENVIRONMENTS}


@pytest.fixture
def broken_copy(tmp_path: Path) -> Callable[[str, str, str], Path]:
    """A copy of the consuming layers with one exact text replaced once: plant(path, old, new) -> copy root."""
    root = tmp_path / "repo"
    for part in COPIED:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, root / part, ignore=shutil.ignore_patterns("__pycache__", ".terraform"))
        elif source.exists():
            (root / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, root / part)

    def plant(path: str, old: str, new: str) -> Path:
        target = root / path
        text = target.read_text()
        assert text.count(old) == 1, f"{old!r} must occur exactly once in {path} to plant the mismatch"
        target.write_text(text.replace(old, new))
        return root

    return plant


@pytest.fixture
def terraform_copy(tmp_path: Path) -> Callable[[str, str, str], Path]:
    """A copy of the Terraform tree (and what its roots read) with one exact text replaced once."""
    root = tmp_path / "terraform-repo"
    for part in layers.TERRAFORM_TREE:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, root / part, ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl"))
        else:
            (root / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, root / part)

    def plant(path: str, old: str, new: str) -> Path:
        target = root / path
        text = target.read_text()
        assert text.count(old) == 1, f"{old!r} must occur exactly once in {path} to plant the mismatch"
        target.write_text(text.replace(old, new))
        return root

    return plant
