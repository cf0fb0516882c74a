"""The Terraform naming module and the Pulumi convention module give the same names for every kind."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from tests.platform.terraform.conftest import REPO, TF_DIR

CASES = [
    ("dev", "westeurope"),
    ("prod", "northeurope"),
    ("staging", "eastus2"),
    ("perf", "swedencentral"),
    ("shared", "westeurope"),
]


def pulumi_convention() -> ModuleType:
    """Import platform/pulumi/convention.py by path (platform/ is deliberately not a package)."""
    path = REPO / "platform" / "pulumi" / "convention.py"
    if not path.exists():
        pytest.skip("platform/pulumi/convention.py is not there yet")
    spec = importlib.util.spec_from_file_location("medqa_pulumi_convention", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def naming_root(tmp_path_factory: pytest.TempPathFactory, tool: Callable[[str], Path]) -> Path:
    """An initialised copy of the naming module (it needs no provider)."""
    tool("terraform")
    platform = tmp_path_factory.mktemp("parity") / "platform"
    shutil.copytree(TF_DIR / "modules" / "naming", platform / "terraform" / "modules" / "naming")
    shutil.copy(REPO / "platform" / "conventions.json", platform / "conventions.json")
    root = platform / "terraform" / "modules" / "naming"
    subprocess.run(["terraform", "init", "-backend=false", "-no-color"], cwd=root, check=True, capture_output=True)
    return root


def terraform_names(root: Path, environment: str, location: str) -> dict[str, str]:
    """The naming module's names output for one environment and region."""
    result = subprocess.run(
        ["terraform", "console", "-no-color", *[f"-var={k}={v}" for k, v in _vars(environment, location).items()]],
        cwd=root,
        input="jsonencode(local.names)\n",
        capture_output=True,
        text=True,
        check=True,
        env={"CHECKPOINT_DISABLE": "1", "PATH": "/usr/local/bin:/usr/bin:/bin", "TF_CLI_CONFIG_FILE": "/dev/null"},
    )
    names: dict[str, str] = json.loads(json.loads(result.stdout.strip()))
    return names


def _vars(environment: str, location: str) -> dict[str, str]:
    """Module inputs for one case."""
    return {"environment": environment, "location": location, "owner": "o", "cost_center": "c"}


@pytest.mark.parametrize(("environment", "location"), CASES)
def test_terraform_and_pulumi_agree(naming_root: Path, environment: str, location: str) -> None:
    convention = pulumi_convention()
    names = terraform_names(naming_root, environment, location)
    naming = convention.Naming(environment, location)
    assert names == {kind: naming.name(kind) for kind in names}
    assert set(names) == set(convention.load()["abbreviations"])
