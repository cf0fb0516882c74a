"""Puts the Pulumi project on sys.path (platform/ must never become a package) and shares the `tool` fixture."""

from __future__ import annotations

import asyncio
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


@pytest.fixture(scope="module", autouse=True)
def current_event_loop() -> None:
    """Pulumi's mocks run on the thread's current event loop; an earlier test in the same run may have unset it.

    asyncio.run() (the `medqa` CLI, called in-process by other suites) leaves the main thread without a current
    loop, and pulumi.runtime.test then fails with "There is no current event loop".
    """
    try:
        asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())
