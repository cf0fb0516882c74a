"""The env:create / env:destroy tasks refuse to run without what they need, with a message that says what."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

TASKFILE = Path(__file__).resolve().parents[1] / "Taskfile.env.yml"


def task(args: list[str], path: str, gemini_key: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run go-task on the include file with a controlled PATH and Gemini key."""
    binary = shutil.which("task")
    if binary is None:
        pytest.fail("go-task is missing: it comes with the dev dependency group (uv sync)")
    # NO_COLOR: go-task colours its output when CI=true even without a terminal.
    env = {k: v for k, v in os.environ.items() if k != "MEDQA_GEMINI_API_KEY"} | {"PATH": path, "NO_COLOR": "1"}
    if gemini_key is not None:
        env["MEDQA_GEMINI_API_KEY"] = gemini_key
    return subprocess.run([binary, "-t", str(TASKFILE), *args], capture_output=True, text=True, env=env, check=False)


def test_public_tasks_are_listed_with_descriptions() -> None:
    """create, destroy and test each carry a desc."""
    listed = task(["--list"], os.environ["PATH"]).stdout
    for name in ("create", "destroy", "test"):
        assert f"* {name}:" in listed


@pytest.mark.parametrize(("args", "missing"), [(["create"], "NAME, SHAPE"), (["destroy"], "NAME")])
def test_required_variables_are_named(args: list[str], missing: str) -> None:
    """Without NAME (and SHAPE) the task stops before running anything."""
    result = task(args, os.environ["PATH"])
    assert result.returncode != 0
    assert f"missing required variables: {missing}" in result.stderr


def test_create_needs_the_pulumi_cli() -> None:
    """Without the pulumi CLI on PATH, create says how to get it."""
    result = task(["create", "NAME=pr-1", "SHAPE=shared-cluster"], "/usr/bin:/bin", gemini_key="k")
    assert result.returncode != 0
    assert "the pulumi CLI is missing" in result.stderr


def stand_ins(directory: Path, *names: str) -> str:
    """A PATH with executables of these names that are never run (only `command -v` looks at them)."""
    for name in names:
        stand_in = directory / name
        stand_in.write_text("#!/bin/sh\nexit 99\n")
        stand_in.chmod(0o755)
    return f"{directory}:/usr/bin:/bin"


def test_create_needs_the_terraform_cli(tmp_path: Path) -> None:
    """envctl reads the core's outputs through `terraform state pull`, so create checks for terraform."""
    result = task(["create", "NAME=pr-1", "SHAPE=shared-cluster"], stand_ins(tmp_path, "pulumi"), gemini_key="k")
    assert result.returncode != 0
    assert "the terraform CLI is missing" in result.stderr


def test_create_needs_the_gemini_key(tmp_path: Path) -> None:
    """With pulumi and terraform on PATH but no key, create names the variable."""
    result = task(["create", "NAME=pr-1", "SHAPE=shared-cluster"], stand_ins(tmp_path, "pulumi", "terraform"))
    assert result.returncode != 0
    assert "MEDQA_GEMINI_API_KEY is not set" in result.stderr
