"""scripts/checkov.sh never calls home: every DNS lookup or outbound connect is recorded."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CHECKOV_SH = REPO / "scripts" / "checkov.sh"

# Loaded by every Python process of the run (PYTHONPATH), including checkov's workers: it logs
# and refuses any name lookup or connection that is not loopback.
GUARD = """
import os, socket
_LOG = os.environ["NETGUARD_LOG"]
_LOCAL = ("localhost", "127.0.0.1", "::1", None)
_connect, _getaddrinfo = socket.socket.connect, socket.getaddrinfo
def _note(what):
    with open(_LOG, "a") as handle:
        handle.write(what + "\\n")
def connect(self, address):
    host = address[0] if isinstance(address, tuple) else None
    if self.family in (socket.AF_INET, socket.AF_INET6) and not str(host).startswith("127.") and host not in _LOCAL:
        _note(f"connect {address}")
        raise OSError("network refused by the test guard")
    return _connect(self, address)
def getaddrinfo(host, *args, **kwargs):
    if host not in _LOCAL and not str(host).startswith("127."):
        _note(f"resolve {host}")
        raise socket.gaierror("network refused by the test guard")
    return _getaddrinfo(host, *args, **kwargs)
socket.socket.connect, socket.getaddrinfo = connect, getaddrinfo
"""
SAMPLE = """\
resource "azurerm_storage_account" "this" {
  name                     = "stmedqasample"
  resource_group_name      = "rg-medqa"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
  min_tls_version          = "TLS1_0"
}
"""


def _checkov(tmp_path: Path, command: list[str]) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run a checkov command under the guard; return the result and what the guard logged.

    The caller's checkov switches (BC_*, CKV_* variables) are dropped so only the command's count.
    """
    guard = tmp_path / "guard"
    guard.mkdir(exist_ok=True)
    (guard / "sitecustomize.py").write_text(GUARD)
    log = tmp_path / "network.log"
    log.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BC_", "CKV_"))}
    env.update(PYTHONPATH=str(guard), NETGUARD_LOG=str(log), HOME=str(tmp_path))
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False)
    return done, log.read_text() if log.exists() else ""


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A tiny Terraform directory with a known weakness (TLS 1.0 allowed)."""
    directory = tmp_path / "sample"
    directory.mkdir()
    (directory / "main.tf").write_text(SAMPLE)
    return directory


@pytest.mark.slow
def test_checkov_sh_scans_with_no_network_attempt(tool: Callable[[str], Path], tmp_path: Path, sample: Path) -> None:
    """The wrapper finds the weak TLS setting and makes no lookup or connection at all."""
    tool("checkov")
    command = ["bash", str(CHECKOV_SH), "-d", str(sample), "-o", "json", "--compact"]
    done, network = _checkov(tmp_path, command)
    assert network == "", f"checkov tried the network:\n{network}"
    assert done.returncode == 1, done.stderr  # 1 = failed checks, as expected for the sample
    report = json.loads(done.stdout)
    failed = {c["check_id"] for c in report["results"]["failed_checks"]}
    assert "CKV_AZURE_44" in failed  # storage account minimum TLS version
    assert report["summary"]["parsing_errors"] == 0


@pytest.mark.slow
def test_plain_checkov_would_call_home(tool: Callable[[str], Path], tmp_path: Path, sample: Path) -> None:
    """Control: the same scan without the wrapper's switches does try the vendor API."""
    checkov = tool("checkov")
    command = [str(checkov), "-d", str(sample), "-o", "json", "--compact", "--quiet"]
    done, network = _checkov(tmp_path, command)
    assert "resolve" in network, done.stderr[-2000:]


def test_wrapper_without_checkov_says_how_to_install(tmp_path: Path) -> None:
    """A copy of the wrapper outside the repo, with no checkov on PATH, exits 127 with the fix."""
    copy = tmp_path / "scripts" / "checkov.sh"
    copy.parent.mkdir()
    copy.write_text(CHECKOV_SH.read_text())
    empty = tmp_path / "bin"
    empty.mkdir()
    done = subprocess.run(
        ["/bin/bash", str(copy), "--version"],
        env={"PATH": str(empty)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 127
    assert "checkov is not installed: run `uv sync`" in done.stderr
