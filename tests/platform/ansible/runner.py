"""Runs a playbook from ansible/ the way an operator would, and reads its JSON result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
ANSIBLE_DIR = REPO / "ansible"
VENV_BIN = Path(sys.executable).parent


@dataclass
class PlaybookRun:
    """The outcome of one ansible-playbook run."""

    returncode: int
    stats: dict[str, dict[str, int]]
    output: str
    plays: list[dict[str, Any]] = field(default_factory=list)

    def changed(self, host: str) -> int:
        """Count the changed tasks on a host."""
        return self.stats.get(host, {}).get("changed", 0)

    def results(self, task_name: str, host: str) -> list[dict[str, Any]]:
        """Every result of the tasks (handlers included) with this name on a host, in run order."""
        return [
            task["hosts"][host]
            for play in self.plays
            for task in play.get("tasks", [])
            # Role tasks are named "<role> : <task name>".
            if task["task"]["name"].split(" : ")[-1] == task_name and host in task["hosts"]
        ]

    def failed(self, host: str) -> int:
        """Count the failed tasks on a host (unreachable included)."""
        host_stats = self.stats.get(host, {})
        return host_stats.get("failures", 0) + host_stats.get("unreachable", 0)


def ansible_env() -> dict[str, str]:
    """Return the environment for ansible-playbook: our config, JSON output, the venv's binaries first."""
    return {
        **os.environ,
        "ANSIBLE_CONFIG": str(ANSIBLE_DIR / "ansible.cfg"),
        "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCAL_TEMP": str(Path(os.environ.get("TMPDIR", "/tmp")) / "medqa-ansible-local"),
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def run_playbook(
    playbook: str, inventory: str, extra_vars: dict[str, Any], tmp_path: Path, *args: str, timeout: int = 900
) -> PlaybookRun:
    """Run ansible/playbooks/<playbook> with the given inventory and variables."""
    vars_file = tmp_path / f"vars-{len(list(tmp_path.glob('vars-*.json')))}.json"
    vars_file.write_text(json.dumps(extra_vars))
    command = [
        str(VENV_BIN / "ansible-playbook"),
        "-i",
        inventory,
        str(ANSIBLE_DIR / "playbooks" / playbook),
        "-e",
        f"@{vars_file}",
        *args,
    ]
    done = subprocess.run(
        command, cwd=ANSIBLE_DIR, env=ansible_env(), capture_output=True, text=True, timeout=timeout, check=False
    )
    try:
        report = json.loads(done.stdout[done.stdout.index("{") :])
    except ValueError:
        report = {}
    return PlaybookRun(done.returncode, report.get("stats", {}), done.stdout + done.stderr, report.get("plays", []))
