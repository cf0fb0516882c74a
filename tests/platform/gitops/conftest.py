"""Rendered overlays for the policy tests: the files the validation script just checked, or fresh renders."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
KUSTOMIZE = REPO / "gitops" / "kustomize"
OVERLAYS = sorted(p.name for p in (KUSTOMIZE / "overlays").iterdir() if p.is_dir())
VALIDATE = REPO / "scripts" / "gitops-validate.sh"


def load(path: Path) -> list[dict]:
    """All YAML documents in a file, empty ones dropped."""
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


@pytest.fixture(scope="session")
def rendered_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Directory with <overlay>.yaml per overlay, rendered by scripts/gitops-validate.sh."""
    given = os.environ.get("MEDQA_GITOPS_RENDERED")
    if given:
        return Path(given)
    out = tmp_path_factory.mktemp("rendered")
    done = subprocess.run(["bash", str(VALIDATE), "render", str(out)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.fixture(scope="session")
def rendered(rendered_dir: Path) -> dict[str, list[dict]]:
    """Overlay name -> its rendered objects."""
    found = {name: load(rendered_dir / f"{name}.yaml") for name in OVERLAYS}
    assert all(found.values()), f"an overlay rendered nothing in {rendered_dir}"
    return found
