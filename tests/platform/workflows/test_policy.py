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
    # Read from the action repositories' tags on 2026-12-02.
    "actions/create-github-app-token": ("1b10c78c7865c340bc4f6099eb2f838309f1e8c3", "v3.1.1"),
    "hashicorp/setup-terraform": ("dfe3c3f87815947d99a8997f908cb6525fc44e9e", "v4.0.1"),
    "actions/upload-artifact": ("bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0"),
    "actions/download-artifact": ("3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1"),
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


def test_only_jobs_that_sign_in_get_an_oidc_token(workflows: dict[str, dict[str, Any]]) -> None:
    """id-token: write exactly where a job signs in to Azure (or signs with cosign): never in CI or promote."""
    holders = {
        (name, job_name)
        for name, workflow in workflows.items()
        for job_name, job in workflow["jobs"].items()
        if job.get("permissions", {}).get("id-token") == "write"
    }
    assert holders == {("release", "image"), ("terraform", "plan"), ("terraform", "apply"), ("terraform", "drift")}
    for name, job_name in holders:
        uses = {s.get("uses", "").split("@")[0] for s in workflows[name]["jobs"][job_name]["steps"]}
        assert "azure/login" in uses, (name, job_name)


# The only write scopes a job token may hold, and where; everything else reads at most.
WRITES = {("terraform", "drift", "issues")}


def test_job_tokens_hold_no_write_scope_but_the_drift_issue(workflows: dict[str, dict[str, Any]]) -> None:
    """Pushes and pull requests go through the GitHub App token, so no job token may write contents/PRs."""
    for name, workflow in workflows.items():
        for job_name, job in workflow["jobs"].items():
            if name != "ci":
                assert "permissions" in job, f"{name}/{job_name} states no permissions"
            for scope, level in job.get("permissions", {}).items():
                if level == "write" and scope != "id-token":
                    assert (name, job_name, scope) in WRITES, f"{name}/{job_name}: {scope}: write"


def test_no_stored_cloud_secret_and_no_deploy_from_ci(workflows: dict[str, dict[str, Any]]) -> None:
    """Azure sign-in uses OIDC; the one secret is the GitHub App key; no step deploys to a cluster."""
    for path in WORKFLOWS.glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        assert set(re.findall(r"secrets\.(\w+)", text)) <= {"RELEASE_APP_PRIVATE_KEY"}, path.name
        assert "creds:" not in text, path.name
    for name, workflow in workflows.items():
        for step in steps(workflow):
            if "secrets." in str(step.get("with", {})):
                assert step["uses"].startswith("actions/create-github-app-token@"), (name, step)
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
        if not namespace or command in root["tasks"]:  # the root Taskfile names some tasks area:action itself
            assert command in root["tasks"], command
            continue
        included = yaml.safe_load(includes[namespace].read_text(encoding="utf-8"))
        assert name in included["tasks"], command
        if "includes" in root:
            assert namespace in root["includes"], f"root Taskfile.yml does not include {namespace}"


def test_release_builds_signs_attests_and_bumps_dev_only(workflows: dict[str, dict[str, Any]]) -> None:
    """Push to main -> image pushed by digest, cosign sign + SBOM attestation, digest bumped in dev only."""
    release = workflows["release"]
    assert release["on"]["push"]["branches"] == ["main"]
    assert "gitops/kustomize/overlays/**" in release["on"]["push"]["paths-ignore"]
    run = "\n".join(scripts(release))
    assert "cosign sign --yes" in run and "cosign attest --yes --type spdxjson" in run
    assert 'scripts/release.py bump --env dev --digest "$DIGEST"' in run
    overlays = re.findall(r"overlays/(\w+)", (WORKFLOWS / "release.yml").read_text(encoding="utf-8"))
    assert overlays and set(overlays) == {"dev"}


def test_release_never_pushes_to_main(workflows: dict[str, dict[str, Any]]) -> None:
    """main is protected: no git push, no commit, no job token that may write contents (issue #20 item 10)."""
    for name in ("release", "promote"):
        for script in scripts(workflows[name]):
            assert not re.search(r"\bgit\s+(push|commit)\b", script), (name, script)
        for job in workflows[name]["jobs"].values():
            assert job["permissions"].get("contents") in (None, "read"), name
    text = (WORKFLOWS / "release.yml").read_text(encoding="utf-8")
    assert "HEAD:main" not in text and "persist-credentials: true" not in text


def app_token_step(job: dict[str, Any]) -> str:
    """The id of the job's create-github-app-token step, which must come before any use of its token."""
    found = [s for s in job["steps"] if s.get("uses", "").startswith("actions/create-github-app-token@")]
    assert len(found) == 1, "one GitHub App token step per job"
    step = found[0]
    assert step["with"]["private-key"] == "${{ secrets.RELEASE_APP_PRIVATE_KEY }}"
    assert step["with"]["client-id"] == "${{ vars.RELEASE_APP_CLIENT_ID }}"
    # Scoped to what opening a pull request needs, not the App's every permission.
    scopes = {k: v for k, v in step["with"].items() if k.startswith("permission-")}
    assert scopes == {"permission-contents": "write", "permission-pull-requests": "write"}
    return str(step["id"])


def test_pull_requests_are_opened_with_the_github_app_token(workflows: dict[str, dict[str, Any]]) -> None:
    """A pull request opened with GITHUB_TOKEN never triggers CI: release and promote use the App token."""
    for name in ("release", "promote"):
        openers = 0
        for job in workflows[name]["jobs"].values():
            for number, step in enumerate(job.get("steps", [])):
                uses_pr = step.get("uses", "").startswith("peter-evans/create-pull-request@")
                runs_gh = "gh pr " in step.get("run", "")
                if not (uses_pr or runs_gh):
                    continue
                openers += 1
                token_id = app_token_step(job)
                ids = [s.get("id") for s in job["steps"][:number]]
                assert token_id in ids, f"{name}: the token step must come first"
                token = step["with"]["token"] if uses_pr else step["env"]["GH_TOKEN"]
                assert token == f"${{{{ steps.{token_id}.outputs.token }}}}", (name, token)
        assert openers, f"{name} opens no pull request"
    assert any("gh pr merge" in s and "--auto" in s for s in scripts(workflows["release"]))


def test_release_pushes_to_the_one_registry_and_signs_as_kyverno_verifies(
    workflows: dict[str, dict[str, Any]],
) -> None:
    """crmedqasharedweu.azurecr.io/medqa through the release identity; the signer is what admission checks."""
    release = workflows["release"]
    assert release["env"]["IMAGE"] == "crmedqasharedweu.azurecr.io/medqa"
    assert release["env"]["IMAGE"].startswith(release["env"]["REGISTRY"] + "/")
    image = release["jobs"]["image"]
    login = next(s for s in image["steps"] if s.get("uses", "").startswith("azure/login@"))
    assert login["with"]["client-id"] == "${{ vars.AZURE_RELEASE_CLIENT_ID }}"
    assert 'az acr login --name "${REGISTRY%%.*}"' in "\n".join(scripts(release))
    assert "ACR_NAME" not in (WORKFLOWS / "release.yml").read_text(encoding="utf-8")
    # The signing certificate names this file on main: the repository is the one Terraform gives Argo CD.
    tfvars = (REPO / "platform" / "terraform" / "environments" / "dev" / "terraform.tfvars").read_text()
    (repo_url,) = re.findall(r'^repo_url\s*=\s*"https://github.com/([^"]+?)(?:\.git)?"', tfvars, re.M)
    subject = f"https://github.com/{repo_url}/.github/workflows/release.yml@refs/heads/main"
    assert image["env"]["SIGNER_IDENTITY"] == subject
    assert image["env"]["SIGNER_ISSUER"] == "https://token.actions.githubusercontent.com"
    assert '--certificate-identity "$SIGNER_IDENTITY"' in "\n".join(scripts(release))
    # Wherever the Kyverno policy sits (gitops/argocd), it must name the same subject and issuer.
    for path in (REPO / "gitops").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if "verify-medqa-images" in text and "kind: ClusterPolicy" in text:
            assert subject in text and image["env"]["SIGNER_ISSUER"] in text, path
            assert release["env"]["IMAGE"] in text, path


def test_promote_is_manual_gated_and_moves_a_digest_one_step(workflows: dict[str, dict[str, Any]]) -> None:
    """workflow_dispatch only; the job runs in the target's protected environment; it opens a pull request."""
    promote = workflows["promote"]
    assert list(promote["on"]) == ["workflow_dispatch"]
    assert promote["on"]["workflow_dispatch"]["inputs"]["target"]["options"] == ["staging", "prod"]
    assert promote["concurrency"]["group"] == "promote"
    (job,) = promote["jobs"].values()
    assert job["environment"] == "${{ inputs.target }}"
    run = "\n".join(scripts(promote))
    assert 'scripts/release.py promote --from "$source" --to "$TARGET"' in run
    assert "staging) source=dev" in run and "prod) source=staging" in run
    (opener,) = [s for s in steps(promote) if s.get("uses", "").startswith("peter-evans/create-pull-request@")]
    assert opener["with"]["add-paths"] == "gitops/kustomize/overlays/${{ inputs.target }}/kustomization.yaml"


def test_workflows_use_the_uv_version_the_repository_pins(workflows: dict[str, dict[str, Any]]) -> None:
    """UV_VERSION matches the uv that builds the image (Dockerfile ARG UV_VERSION)."""
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    (pinned,) = re.findall(r"^ARG UV_VERSION=(\S+)$", dockerfile, re.M)
    for name, workflow in workflows.items():
        if any(s.get("uses", "").startswith("astral-sh/setup-uv@") for s in steps(workflow)):
            assert workflow["env"]["UV_VERSION"] == pinned, name
