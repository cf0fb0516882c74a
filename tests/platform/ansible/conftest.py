"""Fixtures for the Ansible tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.platform.ansible.runner import PlaybookRun, run_playbook


@pytest.fixture
def playbook(tmp_path: Path) -> Callable[..., PlaybookRun]:
    """Give tests a `playbook(name, inventory, vars, *args)` runner bound to their tmp_path."""

    def run(name: str, inventory: str, extra_vars: dict[str, Any], *args: str) -> PlaybookRun:
        return run_playbook(name, inventory, extra_vars, tmp_path, *args)

    return run
