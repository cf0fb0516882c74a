"""Puts the Pulumi project on sys.path (platform/ must never become a package) and shares the `tool` fixture."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

# pytest's importlib mode imports this file as `platform.pulumi.tests.conftest` and, to do so, loads the
# repository's platform/ directory as a namespace package over the standard-library `platform` module.
# Put the standard library back, or every later `import platform` (asyncpg, prometheus_client) breaks.
if not hasattr(sys.modules.get("platform"), "python_implementation"):
    del sys.modules["platform"]
    sys.modules["platform"] = importlib.import_module("platform")

PROJECT = Path(__file__).resolve().parents[1]
for path in (PROJECT, PROJECT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

# The repository's pinned-tool fixture (kustomize renders the overlays envctl writes); registered for assertion
# rewriting first, as tests/conftest.py would, so loading it here first does not trip pytest's warning.
pytest.register_assert_rewrite("tests.plugins.tools")
from tests.plugins.tools import tool  # noqa: E402

__all__ = ["tool"]
