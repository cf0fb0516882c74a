"""The `tool` fixture: a missing tool skips a test, or fails it when MEDQA_REQUIRE_TOOLS=1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SAMPLE = """
def test_needs_a_tool(tool):
    tool("{name}")
"""


def _run_pytest(tmp_path: Path, name: str, require: str | None) -> subprocess.CompletedProcess[str]:
    """Run a one-test pytest session that asks the fixture for `name`."""
    (tmp_path / "test_sample.py").write_text(SAMPLE.format(name=name))
    env = {**os.environ, "MEDQA_TOOLS_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(REPO)}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # the sample needs no third-party plugin
    env.pop("MEDQA_REQUIRE_TOOLS", None)
    if require is not None:
        env["MEDQA_REQUIRE_TOOLS"] = require
    command = [sys.executable, "-m", "pytest", "-p", "tests.plugins.tools", "-rsf", "-q"]
    command += ["-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path)]
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("require", [None, "0"])
def test_missing_tool_skips_with_the_install_command(tmp_path: Path, require: str | None) -> None:
    """Without MEDQA_REQUIRE_TOOLS=1 the test is skipped and told how to install the tool."""
    done = _run_pytest(tmp_path, "kubeconform", require)
    assert done.returncode == 0, done.stdout
    assert "1 skipped" in done.stdout
    assert "bash scripts/tools.sh install kubeconform" in done.stdout


def test_missing_tool_fails_when_tools_are_required(tmp_path: Path) -> None:
    """With MEDQA_REQUIRE_TOOLS=1 (CI) the same test fails with that command."""
    done = _run_pytest(tmp_path, "kubeconform", "1")
    assert done.returncode == 1, done.stdout
    assert "1 failed" in done.stdout
    assert "bash scripts/tools.sh install kubeconform" in done.stdout


def test_a_present_tool_is_handed_over(tmp_path: Path) -> None:
    """A tool that tools.sh can find (a pip one, always there under uv) makes the test pass."""
    done = _run_pytest(tmp_path, "checkov", "1")
    assert done.returncode == 0, done.stdout
    assert "1 passed" in done.stdout
