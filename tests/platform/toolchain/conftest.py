"""Helpers for the toolchain tests: run scripts/tools.sh against a throw-away cache."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[3]
TOOLS_SH = REPO / "scripts" / "tools.sh"
SCRIPTS = REPO / "scripts" / "tools"

Run = Callable[..., subprocess.CompletedProcess[str]]


def _load_script(name: str) -> ModuleType:
    """Import one of scripts/tools/*.py as a module."""
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    spec = importlib.util.spec_from_file_location(f"medqa_tools_{name}", SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def script() -> Callable[[str], ModuleType]:
    """Return a loader for the scripts/tools/*.py modules (they are not a package)."""
    return _load_script


@pytest.fixture
def empty_cache(tmp_path: Path) -> Path:
    """An empty MEDQA_TOOLS_HOME."""
    cache = tmp_path / "cache"
    cache.mkdir()
    return cache


@pytest.fixture
def tools_sh(empty_cache: Path) -> Run:
    """Run `bash scripts/tools.sh ARGS` with the empty cache; extra env via keywords."""

    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        merged = {**os.environ, "MEDQA_TOOLS_HOME": str(empty_cache), **env}
        return subprocess.run(
            ["bash", str(TOOLS_SH), *args],
            capture_output=True,
            text=True,
            env=merged,
            timeout=120,
            check=False,
        )

    return run


@pytest.fixture
def fake_go(tmp_path: Path) -> Path:
    """A directory holding a fake `go` that 'builds' a script and counts its calls.

    FAKE_GO_FAIL=1 makes it fail like a broken build; calls are appended to calls.log.
    """
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    go = bin_dir / "go"
    go.write_text(
        "#!/usr/bin/env bash\n"
        f'echo "$*" >> "{bin_dir}/calls.log"\n'
        'if [[ "${FAKE_GO_FAIL:-}" == 1 ]]; then echo "go: build exploded" >&2; exit 1; fi\n'
        'target="${@: -1}"; name="${target%@*}"; name="${name##*/}"\n'
        'printf "#!/bin/sh\\necho fake %s\\n" "$name" > "$GOBIN/$name"\n'
    )
    go.chmod(0o755)
    return bin_dir
