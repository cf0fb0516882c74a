"""The Terraform workflow (checks, plan per root, gated apply, drift) and CI's add-on rendering job."""

from __future__ import annotations

from typing import Any

import pytest

from tests.platform.workflows.conftest import REPO

# The roots docs/platform-contract.md names, applied in this order (the environments read the shared root).
ROOTS = ["shared", "dev", "staging", "prod"]
TF_JOBS = ("plan", "apply", "drift")


@pytest.fixture(scope="module")
def terraform(workflows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The Terraform workflow, parsed."""
    return workflows["terraform"]


def run_of(job: dict[str, Any]) -> str:
    """Every `run:` script of a job, joined."""
    return "\n".join(s["run"] for s in job["steps"] if "run" in s)


def test_checks_run_on_pull_requests_touching_terraform(terraform: dict[str, Any]) -> None:
    """fmt -check, validate and the plan-only tests of every module and root, on the right pull requests."""
    assert "platform/terraform/**" in terraform["on"]["pull_request"]["paths"]
    assert "platform/conventions.json" in terraform["on"]["pull_request"]["paths"]
    run = run_of(terraform["jobs"]["check"])
    assert "terraform fmt -check -recursive" in run
    for command in ("init -backend=false", " validate ", " test "):
        assert command in run, command
    assert "modules/*/ environments/*/" in run


def test_plan_covers_every_root(terraform: dict[str, Any]) -> None:
    """Each job runs over shared, dev, staging and prod, and over every environment root in the tree."""
    present = {p.name for p in (REPO / "platform" / "terraform" / "environments").iterdir() if p.is_dir()}
    for name in TF_JOBS:
        roots = terraform["jobs"][name]["strategy"]["matrix"]["root"]
        assert roots == ROOTS, name
        assert present <= set(roots), f"{name} misses {present - set(roots)}"


@pytest.mark.parametrize("name", TF_JOBS)
def test_azure_sign_in_is_oidc_from_environment_variables(terraform: dict[str, Any], name: str) -> None:
    """azure/login and the azurerm provider use the OIDC token with the environment's own IDs."""
    job = terraform["jobs"][name]
    assert job["env"]["ARM_USE_OIDC"] == "true"
    for key, var in (("ARM_CLIENT_ID", "CLIENT"), ("ARM_TENANT_ID", "TENANT"), ("ARM_SUBSCRIPTION_ID", "SUBSCRIPTION")):
        assert job["env"][key] == f"${{{{ vars.AZURE_{var}_ID }}}}", key
    (login,) = [s for s in job["steps"] if s.get("uses", "").startswith("azure/login@")]
    assert login["with"] == {
        "client-id": "${{ vars.AZURE_CLIENT_ID }}",
        "tenant-id": "${{ vars.AZURE_TENANT_ID }}",
        "subscription-id": "${{ vars.AZURE_SUBSCRIPTION_ID }}",
    }
    # Environment variables exist only inside a job's environment: every signed-in job names one.
    assert job["environment"].startswith("terraform-")
    assert job["permissions"]["id-token"] == "write"


def test_plan_is_uploaded_for_review(terraform: dict[str, Any]) -> None:
    """The readable plan of each root becomes an artifact; the binary plan (secrets in clear) never does."""
    plan = terraform["jobs"]["plan"]
    assert "-out=tfplan" in run_of(plan) and "show -no-color tfplan" in run_of(plan)
    (upload,) = [s for s in plan["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["with"]["name"] == "plan-${{ matrix.root }}"
    assert upload["with"]["path"].endswith(".txt")
    assert set(plan["permissions"]) == {"contents", "id-token"}


def test_apply_runs_on_main_only_behind_a_protected_environment(terraform: dict[str, Any]) -> None:
    """Apply needs the checks and plan, runs only for a push to main, one root at a time, the reviewed plan."""
    apply = terraform["jobs"]["apply"]
    assert apply["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert set(apply["needs"]) == {"check", "plan"}
    # terraform-<root> carries the required reviewers; plan and drift use the read-only terraform-plan-<root>.
    assert apply["environment"] == "terraform-${{ matrix.root }}"
    assert terraform["jobs"]["plan"]["environment"] == "terraform-plan-${{ matrix.root }}"
    assert apply["strategy"]["max-parallel"] == 1
    run = run_of(apply)
    assert 'diff -u "reviewed/plan-$name.txt"' in run and "apply -no-color -lock-timeout=10m tfplan" in run
    assert "-auto-approve" not in run
    assert "main" in terraform["on"]["push"]["branches"]


def test_state_jobs_have_a_concurrency_group_per_root(terraform: dict[str, Any]) -> None:
    """Apply and drift queue per root (never cancelled mid-apply); plans of one ref supersede each other."""
    for name in ("apply", "drift"):
        concurrency = terraform["jobs"][name]["concurrency"]
        assert concurrency == {"group": "terraform-state-${{ matrix.root }}", "cancel-in-progress": False}
    plan = terraform["jobs"]["plan"]["concurrency"]
    assert "${{ matrix.root }}" in plan["group"] and plan["cancel-in-progress"] is True


def test_drift_is_scheduled_and_opens_or_updates_an_issue(terraform: dict[str, Any]) -> None:
    """A daily plan -detailed-exitcode; exit 2 comments on the open drift issue or opens one; 1 fails."""
    assert terraform["on"]["schedule"][0]["cron"]
    drift = terraform["jobs"]["drift"]
    assert "schedule" in drift["if"]
    assert drift["permissions"] == {"contents": "read", "id-token": "write", "issues": "write"}
    run = run_of(drift)
    assert "-detailed-exitcode" in run and "[[ $code -ne 1 ]]" in run
    (issue,) = [s for s in drift["steps"] if "gh issue" in s.get("run", "")]
    assert issue["if"] == "steps.plan.outputs.exitcode == '2'"
    assert "gh issue comment" in issue["run"] and "gh issue create" in issue["run"]


def test_no_other_terraform_job_gets_azure_or_write_access(terraform: dict[str, Any]) -> None:
    """The checks job only reads the code: plan-only tests use mock providers."""
    check = terraform["jobs"]["check"]
    assert check["permissions"] == {"contents": "read"}
    assert "environment" not in check
    assert not any(s.get("uses", "").startswith("azure/login@") for s in check["steps"])


def test_ci_renders_the_addon_charts_and_fails_without_the_script(workflows: dict[str, dict[str, Any]]) -> None:
    """addons-render runs scripts/addons-render.py with --fetch and fails when the script is absent."""
    job = workflows["ci"]["jobs"]["addons-render"]
    run = run_of(job)
    assert "python scripts/addons-render.py --fetch" in run
    assert "[[ ! -f scripts/addons-render.py ]]" in run and "exit 1" in run
    assert job["env"]["MEDQA_REQUIRE_TOOLS"] == "1"
    assert "permissions" not in job and workflows["ci"]["permissions"] == {"contents": "read"}
