"""ansible-lint (production profile), --syntax-check of every playbook, and the collection pins."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.platform.ansible.runner import ANSIBLE_DIR, VENV_BIN, ansible_env

PLAYBOOKS = sorted(path.name for path in (ANSIBLE_DIR / "playbooks").glob("*.yml"))


def test_ansible_lint_production_profile_passes() -> None:
    """Every playbook, role and inventory passes ansible-lint's production profile, strictly."""
    done = subprocess.run(
        [str(VENV_BIN / "ansible-lint"), "--profile", "production", "--strict", "--nocolor"],
        cwd=ANSIBLE_DIR,
        env=ansible_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Profile 'production' was required, and it passed" in done.stdout + done.stderr


def test_the_three_playbooks_exist() -> None:
    """The issue's playbooks are all there (and so all syntax-checked below)."""
    assert {"jump_hosts.yml", "grafana_dashboards.yml", "site.yml"} <= set(PLAYBOOKS)


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_playbook_syntax_check(playbook: str, environment: str) -> None:
    """ansible-playbook --syntax-check passes with each environment's static inventory."""
    done = subprocess.run(
        [
            str(VENV_BIN / "ansible-playbook"),
            "--syntax-check",
            "-i",
            f"inventories/{environment}/static.yml",
            f"playbooks/{playbook}",
        ],
        cwd=ANSIBLE_DIR,
        env={**ansible_env(), "ANSIBLE_STDOUT_CALLBACK": "default"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_installed_collections_match_requirements() -> None:
    """The collections the bundle installed are exactly the versions requirements.yml pins for Galaxy users."""
    pinned = yaml.safe_load((ANSIBLE_DIR / "requirements.yml").read_text())["collections"]
    done = subprocess.run(
        [str(VENV_BIN / "ansible-galaxy"), "collection", "list", "--format", "json"],
        cwd=ANSIBLE_DIR,
        env=ansible_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    installed: dict[str, str] = {}
    for collections in json.loads(done.stdout).values():
        for name, info in collections.items():
            installed.setdefault(name, info["version"])
    for collection in pinned:
        assert installed.get(collection["name"]) == collection["version"], collection["name"]


def test_requirements_pin_every_collection_the_code_uses() -> None:
    """Every collection named in a playbook, role or inventory is pinned in requirements.yml."""
    pinned = {item["name"] for item in yaml.safe_load((ANSIBLE_DIR / "requirements.yml").read_text())["collections"]}
    used: set[str] = set()
    for path in Path(ANSIBLE_DIR).rglob("*.yml"):
        for word in path.read_text().replace("'", " ").replace('"', " ").split():
            parts = word.rstrip(":").split(".")
            if len(parts) >= 3 and parts[0] in {"ansible", "community", "azure"} and parts[1] != "builtin":
                used.add(".".join(parts[:2]))
    assert used <= pinned, used - pinned
