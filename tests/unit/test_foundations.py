"""The bottom layers import nothing above them, and importing them builds nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.safety.guidance import locales
from app.settings import LOCALES

ROOT = Path(__file__).resolve().parents[2]


def loaded_after_import(module: str) -> set[str]:
    """The app modules a fresh interpreter has loaded after importing `module` (and nothing else)."""
    code = f"import json, sys, {module}; print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'app')))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return set(json.loads(out))


@pytest.mark.parametrize(
    ("module", "allowed"),
    [
        ("app.settings", {"app", "app.settings"}),
        ("app.errors", {"app", "app.errors"}),
        # The registry imports the domains' tables; it must build no engine (and so read no settings).
        ("app.piccolo_conf", {"app", "app.piccolo_conf", "app.questions", "app.questions.piccolo_app",
                              "app.questions.tables", "app.access", "app.access.piccolo_app", "app.access.tables"}),
    ],
)  # fmt: skip
def test_a_foundation_imports_only_what_it_may(module: str, allowed: set[str]) -> None:
    assert loaded_after_import(module) == allowed


def test_settings_know_every_guidance_locale() -> None:
    """Settings validate MEDQA_LOCALE without importing app.safety: the list must match guidance.yaml."""
    assert set(LOCALES) == set(locales())
