"""The contract check's fixtures: Terraform planned once per environment, and throw-away copies to break on purpose."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts" / "contract"))

import contract_layers as layers  # noqa: E402

# What a broken copy needs: the layers the contract reads (Terraform is planned from the real tree).
COPIED = ("gitops", "ansible", ".github", "platform/pulumi", "platform/conventions.json", "platform/placeholders.yaml")


@pytest.fixture(scope="session")
def plans(tool: Callable[[str], Path]) -> dict[str, layers.TerraformPlan]:
    """Each environment root planned with mock providers (skips, or fails in CI, without the provider mirror)."""
    tool("terraform")
    tool("terraform-providers")
    tool("kustomize")
    return {env: layers.plan_terraform(REPO, env) for env in layers.ENVIRONMENTS}


def copy_parts(parts: tuple[str, ...], root: Path) -> None:
    """Copy these repository paths (files or folders) under root, without caches."""
    for part in parts:
        source = REPO / part
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", ".terraform", ".terraform.lock.hcl")
            shutil.copytree(source, root / part, ignore=ignore)
        elif source.exists():
            (root / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, root / part)


def planter(root: Path) -> Callable[[str, str, str], Path]:
    """plant(path, old, new): replace exactly one occurrence of old in root/path; return root."""

    def plant(path: str, old: str, new: str) -> Path:
        target = root / path
        text = target.read_text()
        assert text.count(old) == 1, f"{old!r} must occur exactly once in {path} to plant the mismatch"
        target.write_text(text.replace(old, new))
        return root

    return plant


@pytest.fixture
def broken_copy(tmp_path: Path) -> Callable[[str, str, str], Path]:
    """A copy of the consuming layers with one exact text replaced once: plant(path, old, new) -> copy root."""
    copy_parts(COPIED, tmp_path / "repo")
    return planter(tmp_path / "repo")


@pytest.fixture
def terraform_copy(tmp_path: Path) -> Callable[[str, str, str], Path]:
    """A copy of the Terraform tree (and what its roots read) with one exact text replaced once."""
    copy_parts(layers.TERRAFORM_TREE, tmp_path / "terraform-repo")
    return planter(tmp_path / "terraform-repo")
