"""The Terraform workflow's roots and GitHub environments are the ones the shared root makes identities for.

.github/workflows/terraform.yml runs plan and drift in `terraform-plan-<root>` and apply in `terraform-<root>`
and passes `-var subscription_id=...`; environments/shared federates one identity with each of those
environments (its tests/shared.tftest.hcl asserts the planned subjects).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from tests.platform.terraform.conftest import REPO, TF_DIR

WORKFLOW: dict[str, Any] = yaml.safe_load((REPO / ".github" / "workflows" / "terraform.yml").read_text())
JOBS = WORKFLOW["jobs"]
SHARED = TF_DIR / "environments" / "shared"


def terraform_roots_default() -> list[str]:
    """The default of environments/shared's terraform_roots (the roots that get identities)."""
    text = (SHARED / "variables.tf").read_text()
    block = text[text.index('variable "terraform_roots"') :]
    match = re.search(r"default\s+=\s+(\[[^\]]*\])", block)
    assert match, "terraform_roots has no list default"
    return list(json.loads(match[1]))


def test_identities_exist_for_every_root_the_workflow_runs() -> None:
    for job in ("plan", "apply", "drift"):
        assert JOBS[job]["strategy"]["matrix"]["root"] == terraform_roots_default(), job


def test_jobs_run_in_the_environments_the_identities_trust() -> None:
    workflow_tf = (SHARED / "main.workflow.tf").read_text()
    assert JOBS["plan"]["environment"] == JOBS["drift"]["environment"] == "terraform-plan-${{ matrix.root }}"
    assert JOBS["apply"]["environment"] == "terraform-${{ matrix.root }}"
    assert 'github_environment = "terraform-plan-${root}"' in workflow_tf
    assert 'github_environment = "terraform-${root}"' in workflow_tf
    subject = re.search(r"^\s*subject\s+= (.+)$", workflow_tf, re.M)
    assert subject and subject[1] == '"repo:${var.github_repository}:environment:${each.value.github_environment}"'


@pytest.mark.parametrize("root", terraform_roots_default())
def test_every_root_takes_the_subscription_the_workflow_passes(root: str) -> None:
    directory = TF_DIR / "environments" / root
    variables = (directory / "variables.tf").read_text()
    assert re.search(r'^variable "subscription_id" \{\n  type\s+= string\n', variables, re.M), root
    assert re.search(r"^\s*subscription_id\s+= var\.subscription_id$", (directory / "providers.tf").read_text(), re.M)


def test_the_workflow_passes_the_subscription_to_every_plan() -> None:
    for job in ("plan", "apply", "drift"):
        runs = " ".join(step.get("run", "") for step in JOBS[job]["steps"])
        assert '-var "subscription_id=$ARM_SUBSCRIPTION_ID"' in runs, job
