"""What the workflows must do and must never do, read from the files."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.platform.workflows.conftest import REPO, WORKFLOWS

# Every action we use, pinned to the commit its release tag points to. Each SHA was read from the
# action's own repository (tag -> commit) on 2026-11-25; bump the tag and the SHA together.
PINS = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/cache": ("27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5"),
    "actions/setup-go": ("b7ad1dad31e06c5925ef5d2fc7ad053ef454303e", "v7.0.0"),
    "astral-sh/setup-uv": ("20cfd1bf945f4377ade1205e4dbc17946fc9a30d", "v10.0.1"),
    "docker/setup-buildx-action": ("37fe631027851001ddb9b187196cc803df7f5f0e", "v4.3.0"),
    "docker/build-push-action": ("53b7df96c91f9c12dcc8a07bcb9ccacbed38856a", "v7.3.0"),
    "aquasecurity/trivy-action": ("ed142fd0673e97e23eac54620cfb913e5ce36c25", "v0.36.0"),
    "azure/login": ("f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca", "v3.0.1"),
    "sigstore/cosign-installer": ("6f9f17788090df1f26f669e9d70d6ae9567deba6", "v4.1.2"),
    "anchore/sbom-action": ("e22c389904149dbc22b58101806040fa8d37a610", "v0.24.0"),
    "peter-evans/create-pull-request": ("5f6978faf089d4d20b00c7766989d076bb2fc7f1", "v8.1.1"),
}
USES = re.compile(r"^\s*(?:-\s*)?uses:\s*(\S+?)@(\S+)(?:\s+#\s*(\S+))?\s*$")
# Commands that would deploy from CI: forbidden, Argo CD syncs from Git.
DEPLOYS = re.compile(r"\b(kubectl\s+(apply|create|replace|patch|rollout|set)|helm\s+(install|upgrade)|argocd\s+app)\b")


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    """Every step of every job."""
    return [s for job in workflow["jobs"].values() for s in job.get("steps", [])]


def scripts(workflow: dict[str, Any]) -> list[str]:
    """Every `run:` script."""
    return [s["run"] for s in steps(workflow) if "run" in s]


def test_every_action_is_pinned_to_its_verified_commit() -> None:
    """`uses: owner/repo@<40 hex> # <tag>`, and SHA and tag are the pair recorded above."""
    seen = set()
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "uses:" not in line:
                continue
            match = USES.match(line)
            assert match, f"{path.name}:{number}: {line}"
            action, ref, tag = match.groups()
            assert action in PINS, f"{path.name}:{number}: {action} has no verified pin"
            assert (ref, tag) == PINS[action], f"{path.name}:{number}: {ref} # {tag}"
            seen.add(action)
    assert seen == set(PINS), set(PINS) - seen


def test_default_permissions_are_read_only_or_none(workflows: dict[str, dict[str, Any]]) -> None:
    """Top-level permissions grant at most `contents: read`; writes are per job."""
    for name, workflow in workflows.items():
        assert workflow["permissions"] in ({}, {"contents": "read"}), name


def test_only_the_release_image_job_gets_an_oidc_token(workflows: dict[str, dict[str, Any]]) -> None:
    """id-token: write exists once: the job that signs in to Azure and signs with cosign."""
    holders = [
        (name, job_name)
        for name, workflow in workflows.items()
        for job_name, job in workflow["jobs"].items()
        if job.get("permissions", {}).get("id-token") == "write"
    ]
    assert holders == [("release", "image")]


def test_no_stored_cloud_secret_and_no_deploy_from_ci(workflows: dict[str, dict[str, Any]]) -> None:
    """Azure sign-in uses OIDC (no `secrets.` at all); no step runs kubectl/helm/argocd against a cluster."""
    for path in WORKFLOWS.glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        assert "secrets." not in text, path.name
        assert "creds:" not in text, path.name
    for name, workflow in workflows.items():
        for script in scripts(workflow):
            assert not DEPLOYS.search(script), (name, script)


def test_no_expression_is_expanded_inside_a_shell_script(workflows: dict[str, dict[str, Any]]) -> None:
    """Values reach `run:` through env:, never through ${{ }} (template injection)."""
    for name, workflow in workflows.items():
        for script in scripts(workflow):
            assert "${{" not in script, (name, script)


def test_every_workflow_has_a_concurrency_group(workflows: dict[str, dict[str, Any]]) -> None:
    """CI cancels superseded runs; release and promote queue instead of cancelling."""
    assert workflows["ci"]["concurrency"]["cancel-in-progress"] is True
    assert workflows["release"]["concurrency"]["cancel-in-progress"] is False
    assert workflows["promote"]["concurrency"]["cancel-in-progress"] is False


def test_ci_runs_the_checks_the_issue_lists(workflows: dict[str, dict[str, Any]]) -> None:
    """Lint, tests on a PostgreSQL service, gitops:validate, Terraform, buildx + trivy, checkov."""
    ci = workflows["ci"]
    assert "pull_request" in ci["on"]
    run = "\n".join(scripts(ci))
    for command in ("uv run task lint", "uv run task gitops:validate", "uv run task tf:check", "checkov.sh"):
        assert command in run, command
    test_job = ci["jobs"]["test"]
    assert test_job["services"]["postgres"]["image"].startswith("postgres:")
    assert "MEDQA_TEST_DATABASE_URL" in test_job["env"]
    actions = {s["uses"].split("@")[0] for s in steps(ci) if "uses" in s}
    assert {"docker/build-push-action", "aquasecurity/trivy-action"} <= actions


def test_ci_tasks_exist(workflows: dict[str, dict[str, Any]]) -> None:
    """Each `task NS:NAME` that CI calls is defined (in the root Taskfile or its area include file)."""
    root = yaml.safe_load((REPO / "Taskfile.yml").read_text(encoding="utf-8"))
    includes = {
        "gitops": REPO / "gitops" / "kustomize" / "Taskfile.gitops.yml",
        "tf": REPO / "platform" / "terraform" / "Taskfile.tf.yml",
    }
    for command in re.findall(r"uv run task (\S+)", "\n".join(scripts(workflows["ci"]))):
        namespace, _, name = command.rpartition(":")
        if not namespace:
            assert name in root["tasks"], command
            continue
        included = yaml.safe_load(includes[namespace].read_text(encoding="utf-8"))
        assert name in included["tasks"], command
        if "includes" in root:
            assert namespace in root["includes"], f"root Taskfile.yml does not include {namespace}"


def test_release_builds_signs_attests_and_bumps_dev_only(workflows: dict[str, dict[str, Any]]) -> None:
    """Push to main -> image pushed by digest, cosign sign + SBOM attestation, digest committed to dev."""
    release = workflows["release"]
    assert release["on"]["push"]["branches"] == ["main"]
    assert "gitops/kustomize/overlays/**" in release["on"]["push"]["paths-ignore"]
    run = "\n".join(scripts(release))
    assert "cosign sign --yes" in run and "cosign attest --yes --type spdxjson" in run
    assert 'scripts/release.py bump --env dev --digest "$DIGEST"' in run
    assert "git push origin HEAD:main" in run
    assert re.findall(r"overlays/(\w+)", run) == ["dev"] * len(re.findall(r"overlays/(\w+)", run))


def test_promote_is_manual_gated_and_moves_a_digest_one_step(workflows: dict[str, dict[str, Any]]) -> None:
    """workflow_dispatch only; the job runs in the target's protected environment; it opens a pull request."""
    promote = workflows["promote"]
    assert list(promote["on"]) == ["workflow_dispatch"]
    assert promote["on"]["workflow_dispatch"]["inputs"]["target"]["options"] == ["staging", "prod"]
    (job,) = promote["jobs"].values()
    assert job["environment"] == "${{ inputs.target }}"
    run = "\n".join(scripts(promote))
    assert 'scripts/release.py promote --from "$source" --to "$TARGET"' in run
    assert "staging) source=dev" in run and "prod) source=staging" in run
    assert any(s.get("uses", "").startswith("peter-evans/create-pull-request@") for s in steps(promote))


def test_workflows_use_the_uv_version_the_repository_pins(workflows: dict[str, dict[str, Any]]) -> None:
    """UV_VERSION matches the uv that builds the image (Dockerfile ARG UV_VERSION)."""
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    (pinned,) = re.findall(r"^ARG UV_VERSION=(\S+)$", dockerfile, re.M)
    for name, workflow in workflows.items():
        assert workflow["env"]["UV_VERSION"] == pinned, name
