"""The workflow files, parsed and raw, for the workflow tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
WORKFLOWS = REPO / ".github" / "workflows"
NAMES = ("ci", "release", "promote", "terraform")


def parse(path: Path) -> dict[str, Any]:
    """A workflow as data; PyYAML reads the `on:` key as True, so it is put back under "on"."""
    doc: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in doc:
        doc["on"] = doc.pop(True)
    return doc


@pytest.fixture(scope="session")
def workflows() -> dict[str, dict[str, Any]]:
    """ci, release, promote and terraform, parsed."""
    found = {p.stem: parse(p) for p in sorted(WORKFLOWS.glob("*.yml"))}
    assert sorted(found) == sorted(NAMES)
    return found
