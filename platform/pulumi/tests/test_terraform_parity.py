"""Pulumi's names and tags equal what Terraform's naming module computes from the same convention file."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import convention
import pytest

NAMING_MODULE = Path(__file__).resolve().parents[2] / "terraform" / "modules" / "naming"
CASES = {
    "perf_weu": ("perf", "westeurope"),
    "dr_neu": ("dr", "northeurope"),
    "preview_eus2": ("preview", "eastus2"),
    "perf_sec": ("perf", "swedencentral"),
}
ROOT_MODULE = """
variable "cases" {
  type = map(object({ environment = string, location = string }))
}

module "naming" {
  source      = "%s"
  for_each    = var.cases
  environment = each.value.environment
  location    = each.value.location
  owner       = "team-medqa"
  cost_center = "cc-4711"
  expires_on  = "2026-12-01"
}

output "names" {
  value = { for key, m in module.naming : key => m.names }
}

output "tags" {
  value = { for key, m in module.naming : key => m.tags }
}
"""


@pytest.fixture(scope="module")
def terraform_outputs(tool: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Apply a throwaway root module that calls the naming module (no providers, no resources, local state)."""
    terraform = str(tool("terraform"))
    root = tmp_path_factory.mktemp("naming-root")
    # A relative source is used in place; an absolute one is copied away from conventions.json.
    (root / "main.tf").write_text(ROOT_MODULE % os.path.relpath(NAMING_MODULE, root))
    cases = {key: {"environment": env, "location": loc} for key, (env, loc) in CASES.items()}
    (root / "terraform.tfvars.json").write_text(json.dumps({"cases": cases}))
    env = {"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "PATH": "/usr/bin:/bin"}
    for command in (["init", "-input=false", "-backend=false"], ["apply", "-input=false", "-auto-approve"]):
        subprocess.run([terraform, f"-chdir={root}", *command], check=True, capture_output=True, env=env)
    shown = subprocess.run(
        [terraform, f"-chdir={root}", "output", "-json"], check=True, capture_output=True, text=True, env=env
    )
    outputs: dict[str, Any] = json.loads(shown.stdout)
    return outputs


@pytest.mark.parametrize("case", sorted(CASES))
def test_names_equal_terraform_for_every_kind(terraform_outputs: dict[str, Any], case: str) -> None:
    """Every kind of the convention gets the same name from both tools."""
    environment, location = CASES[case]
    terraform_names = terraform_outputs["names"]["value"][case]
    naming = convention.Naming(environment, location)
    assert {kind: naming.name(kind) for kind in terraform_names} == terraform_names


@pytest.mark.parametrize("case", sorted(CASES))
def test_tags_equal_terraform_except_the_tool(terraform_outputs: dict[str, Any], case: str) -> None:
    """The same tag keys and values; only managed_by names the tool that made the resource."""
    environment, _ = CASES[case]
    terraform_tags = terraform_outputs["tags"]["value"][case]
    pulumi_tags = convention.tags(environment, "team-medqa", "cc-4711", "2026-12-01")
    assert (terraform_tags.pop("managed_by"), pulumi_tags.pop("managed_by")) == ("terraform", "pulumi")
    assert pulumi_tags == terraform_tags
