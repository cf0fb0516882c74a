"""actionlint, zizmor (offline) and checkov (github_actions) pass on the workflows, and can fail."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.platform.workflows.conftest import REPO, WORKFLOWS


def copy_workflows(tmp_path: Path) -> Path:
    """A copy of .github/workflows to break on purpose."""
    target = tmp_path / ".github" / "workflows"
    shutil.copytree(WORKFLOWS, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    """Replace text that must be present."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def actionlint(binary: Path, files: list[Path]) -> subprocess.CompletedProcess[str]:
    """actionlint with shellcheck when present (it always checks expressions, keys and action inputs)."""
    return subprocess.run(
        [str(binary), "-no-color", *map(str, files)], capture_output=True, text=True, check=False, cwd=REPO
    )


def zizmor(path: Path) -> subprocess.CompletedProcess[str]:
    """zizmor from the uv `checks` group, offline (no GitHub API)."""
    return subprocess.run(
        ["uv", "run", "--frozen", "zizmor", "--offline", "--no-progress", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )


def checkov(directory: Path) -> subprocess.CompletedProcess[str]:
    """checkov's github_actions framework through scripts/checkov.sh (offline)."""
    script = str(REPO / "scripts" / "checkov.sh")
    return subprocess.run(
        ["bash", script, "--quiet", "--compact", "-d", str(directory), "--framework", "github_actions"],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def actionlint_bin(tool: Callable[[str], Path]) -> Path:
    """The pinned actionlint."""
    return tool("actionlint")


def test_actionlint_passes(actionlint_bin: Path) -> None:
    """No actionlint finding in any workflow."""
    done = actionlint(actionlint_bin, sorted(WORKFLOWS.glob("*.yml")))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("old", "new", "finding"),
    [
        ("runs-on: ubuntu-24.04\n    timeout-minutes: 15", "runs-on: ubuntu-24.04\n    timout-minutes: 15", "timout"),
        ("${{ env.UV_VERSION }}", "${{ env.UV_VERSION", "expression"),
        ("needs: image", "needs: imagee", "imagee"),
    ],
)
def test_actionlint_catches_a_broken_workflow(
    actionlint_bin: Path, tmp_path: Path, old: str, new: str, finding: str
) -> None:
    """A misspelt key, an unclosed expression or an unknown job dependency fails actionlint."""
    target = copy_workflows(tmp_path)
    path = target / ("release.yml" if "needs" in old else "ci.yml")
    edit(path, old, new)
    done = actionlint(actionlint_bin, [path])
    assert done.returncode != 0 and finding in done.stdout, done.stdout


def test_actionlint_runs_shellcheck_on_run_scripts(tool: Callable[[str], Path], tmp_path: Path) -> None:
    """With shellcheck (Debian package) on PATH, actionlint also checks every `run:` script."""
    shellcheck = tool("shellcheck")
    binary = tool("actionlint")
    target = copy_workflows(tmp_path)
    edit(target / "release.yml", 'az acr login --name "${REGISTRY%%.*}"', "az acr login --name ${REGISTRY%%.*}")
    done = subprocess.run(
        [str(binary), "-no-color", f"-shellcheck={shellcheck}", str(target / "release.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0 and "SC2086" in done.stdout, done.stdout


def test_zizmor_passes_offline() -> None:
    """No zizmor finding at the default persona."""
    done = zizmor(WORKFLOWS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout + done.stderr


def test_zizmor_catches_template_injection(tmp_path: Path) -> None:
    """An attacker-controlled value (a pull request title) expanded into a shell script is refused."""
    target = copy_workflows(tmp_path)
    edit(target / "ci.yml", "run: uv run task lint", 'run: echo "${{ github.event.pull_request.title }}"')
    done = zizmor(target / "ci.yml")
    assert done.returncode != 0 and "template-injection" in done.stdout + done.stderr


def test_zizmor_catches_an_unpinned_action(tmp_path: Path) -> None:
    """An action referenced by tag instead of commit SHA is refused."""
    target = copy_workflows(tmp_path)
    edit(
        target / "release.yml",
        "sigstore/cosign-installer@6f9f17788090df1f26f669e9d70d6ae9567deba6 # v4.1.2",
        "sigstore/cosign-installer@v4.1.2",
    )
    done = zizmor(target / "release.yml")
    assert done.returncode != 0 and "unpinned-uses" in done.stdout + done.stderr


def test_checkov_passes_with_only_justified_skips() -> None:
    """checkov github_actions passes; every skip carries a reason inline."""
    done = checkov(WORKFLOWS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Failed checks: 0" in done.stdout
    for path in WORKFLOWS.glob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "checkov:skip=" in line:
                check, _, reason = line.split("checkov:skip=", 1)[1].partition(":")
                assert check and len(reason.strip()) > 20, line


def test_checkov_catches_an_unjustified_dispatch_input(tmp_path: Path) -> None:
    """Without its justified skip, the promote workflow's input fails CKV_GHA_7."""
    target = copy_workflows(tmp_path)
    path = target / "promote.yml"
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines(True) if "checkov:skip" not in ln]
    path.write_text("".join(lines), encoding="utf-8")
    done = checkov(target)
    assert done.returncode != 0 and "CKV_GHA_7" in done.stdout
