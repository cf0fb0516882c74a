"""scripts/gitops-validate.sh passes the real overlays and fails, naming the check, on each kind of breakage."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.platform.gitops.conftest import KUSTOMIZE, VALIDATE


@pytest.fixture(scope="module")
def tools(tool: Callable[[str], Path]) -> None:
    """The pinned tools and schemas the script needs (missing: skip, or fail under MEDQA_REQUIRE_TOOLS=1)."""
    for name in ("kubeconform", "k8s-schemas", "crd-schemas", "checkov", "kube-score"):
        tool(name)


def validate(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the validation script."""
    return subprocess.run(
        ["bash", str(VALIDATE), *map(str, args)], capture_output=True, text=True, check=False, timeout=600
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A private copy of gitops/kustomize to break."""
    copy = tmp_path / "kustomize"
    shutil.copytree(KUSTOMIZE, copy)
    return copy


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact snippet in a file (the snippet must exist)."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_real_overlays_pass_every_check(tools: None, tmp_path: Path) -> None:
    """All overlays render and pass kubeconform, kubernetes-validate, checkov and kube-score."""
    done = validate("check", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    for step in (
        "render dev",
        "render staging",
        "render prod",
        "kubeconform",
        "kubernetes-validate",
        "checkov",
        "kube-score",
    ):
        assert f"PASS {step}" in done.stdout
    assert "Invalid: 0, Errors: 0, Skipped: 0" in done.stdout  # every object had a schema
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dev.yaml", "prod.yaml", "staging.yaml"]


@pytest.mark.slow
def test_unknown_core_field_fails_both_strict_validators(tools: None, tree: Path, tmp_path: Path) -> None:
    """A misspelt Deployment field is caught by kubeconform and kubernetes-validate alike."""
    edit(
        tree / "base" / "deployment.yaml", "  revisionHistoryLimit: 5", "  revisionHistoryLimit: 5\n  minReadySecond: 5"
    )
    done = validate("check", tmp_path / "out", tree / "overlays" / "dev")
    assert done.returncode == 1
    assert "FAIL kubeconform" in done.stdout and "FAIL kubernetes-validate" in done.stdout
    assert "minReadySecond" in done.stdout


@pytest.mark.slow
def test_wrong_type_fails(tools: None, tree: Path, tmp_path: Path) -> None:
    """A string where the API wants an integer is a failure, not a warning."""
    edit(tree / "base" / "deployment.yaml", "revisionHistoryLimit: 5", "revisionHistoryLimit: five")
    done = validate("check", tmp_path / "out", tree / "overlays" / "dev")
    assert done.returncode == 1 and "FAIL kubeconform" in done.stdout


@pytest.mark.slow
def test_unknown_crd_field_fails_kubeconform(tools: None, tree: Path, tmp_path: Path) -> None:
    """CRD objects are validated strictly too: a misspelt ExternalSecret field fails."""
    edit(tree / "base" / "externalsecret.yaml", "  refreshInterval: 1h", "  refreshIntervall: 1h")
    done = validate("check", tmp_path / "out", tree / "overlays" / "staging")
    assert done.returncode == 1
    assert "FAIL kubeconform" in done.stdout and "refreshIntervall" in done.stdout


@pytest.mark.slow
def test_security_regression_fails_checkov(tools: None, tree: Path, tmp_path: Path) -> None:
    """A schema-valid but unsafe change (privileged container) is caught by checkov."""
    edit(tree / "base" / "deployment.yaml", "            privileged: false", "            privileged: true")
    done = validate("check", tmp_path / "out", tree / "overlays" / "prod")
    assert done.returncode == 1
    assert "PASS kubeconform" in done.stdout and "FAIL checkov" in done.stdout


@pytest.mark.slow
def test_render_failure_is_reported(tools: None, tree: Path, tmp_path: Path) -> None:
    """An overlay that does not build fails the render step."""
    edit(tree / "overlays" / "dev" / "kustomization.yaml", "  - ../../base", "  - ../../base\n  - missing.yaml")
    done = validate("check", tmp_path / "out", tree / "overlays" / "dev")
    assert done.returncode == 1 and "FAIL render dev" in done.stdout


def test_directory_without_kustomization_fails(tmp_path: Path) -> None:
    """Pointing the script at a non-overlay is an error, not an empty success."""
    (tmp_path / "empty").mkdir()
    done = validate("render", tmp_path / "out", tmp_path / "empty")
    assert done.returncode == 1 and "no kustomization.yaml" in done.stdout


def test_usage_errors() -> None:
    """`render`/`check` without an output directory, or an unknown command, are usage errors (exit 2)."""
    for args in (["render"], ["check"], ["validate-all"]):
        done = validate(*args)
        assert done.returncode == 2 and "usage:" in done.stdout


@pytest.mark.slow
def test_default_mode_runs_every_check_and_the_policies(tools: None) -> None:
    """What `task gitops:validate` and CI run: all overlays, every tool, then the policy tests on the same files."""
    done = validate()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS policy tests (tests/platform/gitops)" in done.stdout
    assert "gitops-validate: all checks passed" in done.stdout
