"""Finds the pinned platform tools that `scripts/tools.sh` builds into the cache (issue #5).

A test asks for a tool with the `tool` fixture: ``kubeconform = tool("kubeconform")``.
When the tool is missing the test is skipped with the command that installs it, or fails
with that command when ``MEDQA_REQUIRE_TOOLS=1`` (as in CI), so nothing passes by omission.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TOOLS_SH = REPO / "scripts" / "tools.sh"


def _lookup(name: str) -> Path | None:
    if TOOLS_SH.exists():
        found = subprocess.run(["bash", str(TOOLS_SH), "path", name], capture_output=True, text=True, check=False)
        if found.returncode == 0 and found.stdout.strip():
            return Path(found.stdout.strip())
    on_path = shutil.which(name)
    return Path(on_path) if on_path else None


@pytest.fixture(scope="session")
def tool() -> Callable[[str], Path]:
    """Return a function that gives the path of a pinned tool, or skips/fails the test."""

    def find(name: str) -> Path:
        path = _lookup(name)
        if path is not None:
            return path
        message = f"tool {name!r} is missing: run `task tools` (or `bash scripts/tools.sh install {name}`)"
        if os.environ.get("MEDQA_REQUIRE_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)

    return find
