"""A throw-away copy of gitops/ for the release script to edit, and a runner for the script."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "scripts" / "release.py"
DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b1" * 32
PLACEHOLDER = "sha256:" + "0" * 64

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A repository root holding a copy of gitops/kustomize (the script never sees the real tree)."""
    shutil.copytree(REPO / "gitops" / "kustomize", tmp_path / "gitops" / "kustomize")
    return tmp_path


@pytest.fixture
def release(root: Path) -> Run:
    """Run scripts/release.py against the copy, as the workflows run it."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(SCRIPT), "--root", str(root), *args], capture_output=True, text=True, check=False
        )

    return run


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root/gitops, by relative path."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "gitops").rglob("*")) if p.is_file()}


def overlay(root: Path, env: str) -> Path:
    """The kustomization.yaml of one overlay in the copy."""
    return root / "gitops" / "kustomize" / "overlays" / env / "kustomization.yaml"
