"""The `scripts/tools.sh` interface: path, install, list, and every failure path (no real builds)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

Run = Callable[..., subprocess.CompletedProcess[str]]


def test_path_of_a_tool_not_installed_exits_1_with_its_name(tools_sh: Run) -> None:
    """An empty cache: nothing on stdout, a message naming the tool on stderr."""
    done = tools_sh("path", "kubeconform")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "kubeconform" in done.stderr and "not installed" in done.stderr


def test_path_of_data_sets_not_installed_exits_1(tools_sh: Run) -> None:
    """The schema sets and the provider mirror are looked up the same way."""
    for name in ("crd-schemas", "k8s-schemas", "terraform-providers"):
        done = tools_sh("path", name)
        assert done.returncode == 1, name
        assert name in done.stderr


def test_path_of_an_unobtainable_tool_says_why(tools_sh: Run) -> None:
    """A tool the registries refuse is reported with the reason from the manifest."""
    done = tools_sh("path", "kube-linter")
    assert done.returncode == 1
    assert "kube-linter" in done.stderr and "403" in done.stderr


def test_path_of_an_unknown_name_fails(tools_sh: Run) -> None:
    """A name outside the manifest is an error, not a silent empty line."""
    done = tools_sh("path", "no-such-tool")
    assert done.returncode == 1
    assert "not in scripts/tools.toml" in done.stderr


def test_path_is_fast(tools_sh: Run) -> None:
    """Tests call `path` often: it runs no go, no network, only file checks."""
    start = time.monotonic()
    tools_sh("path", "kubeconform")
    assert time.monotonic() - start < 2


def test_usage_errors_exit_2(tools_sh: Run) -> None:
    """No verb, a bad verb, `path` without a name and an unknown install name."""
    assert tools_sh().returncode == 2
    assert tools_sh("frobnicate").returncode == 2
    assert tools_sh("path").returncode == 2
    unknown = tools_sh("install", "no-such-tool")
    assert unknown.returncode == 2
    assert "no-such-tool" in unknown.stderr


def test_install_builds_once_then_is_a_no_op(tools_sh: Run, fake_go: Path, empty_cache: Path) -> None:
    """First install calls go once; the second finds the binary and calls nothing."""
    env = {"PATH": f"{fake_go}{os.pathsep}{os.environ['PATH']}"}
    first = tools_sh("install", "actionlint", **env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("\n") == 1
    assert "actionlint 1.7.12: built" in first.stdout
    exe = empty_cache / "actionlint" / "1.7.12" / "bin" / "actionlint"
    assert exe.is_file() and os.access(exe, os.X_OK)
    calls = (fake_go / "calls.log").read_text().splitlines()
    assert calls == ["install -trimpath -ldflags -s -w github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"]
    second = tools_sh("install", "actionlint", **env)
    assert second.returncode == 0
    assert second.stdout == f"actionlint 1.7.12: present {exe}\n"
    assert len((fake_go / "calls.log").read_text().splitlines()) == 1
    assert tools_sh("path", "actionlint").stdout.strip() == str(exe)


def test_a_failed_build_exits_non_zero_naming_the_tool(tools_sh: Run, fake_go: Path) -> None:
    """go fails: one line on stderr with the tool and go's last line, exit 1, nothing cached."""
    env = {"PATH": f"{fake_go}{os.pathsep}{os.environ['PATH']}", "FAKE_GO_FAIL": "1"}
    done = tools_sh("install", "kubeconform", **env)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == ["tools.sh: kubeconform: go install failed: go: build exploded"]
    assert tools_sh("path", "kubeconform").returncode == 1


def test_without_go_the_message_says_so(tools_sh: Run, tmp_path: Path) -> None:
    """A machine with no Go gets a clear message rather than a traceback."""
    bare = tmp_path / "bare"
    bare.mkdir()
    for needed in ("python3", "bash"):
        (bare / needed).symlink_to(os.path.realpath(shutil.which(needed) or needed))
    done = tools_sh("install", "helm", PATH=str(bare))
    assert done.returncode == 1
    assert "helm: cannot build: `go` is not on PATH" in done.stderr


def test_install_of_an_unobtainable_tool_by_name_fails(tools_sh: Run) -> None:
    """Asking for kube-linter explicitly is an error; the message names it and the reason."""
    done = tools_sh("install", "tflint-ruleset-azurerm")
    assert done.returncode == 1
    assert done.stderr.startswith("tools.sh: tflint-ruleset-azurerm: not obtainable here")


def test_provider_goes_into_the_filesystem_mirror(tools_sh: Run, fake_go: Path, empty_cache: Path) -> None:
    """A provider lands where `terraform init -plugin-dir` looks, with its version stamped in."""
    env = {"PATH": f"{fake_go}{os.pathsep}{os.environ['PATH']}"}
    done = tools_sh("install", "terraform-provider-azurerm", **env)
    assert done.returncode == 0, done.stderr
    binary = (
        empty_cache
        / "terraform-providers/registry.terraform.io/hashicorp/azurerm/5.2.0/linux_amd64"
        / "terraform-provider-azurerm_v5.2.0"
    )
    assert binary.is_file()
    call = (fake_go / "calls.log").read_text()
    assert "-X github.com/hashicorp/terraform-provider-azurerm/version.ProviderVersion=5.2.0" in call
    mirror = tools_sh("path", "terraform-providers")
    assert mirror.stdout.strip() == str(empty_cache / "terraform-providers")


def test_list_prints_the_manifest(tools_sh: Run) -> None:
    """One tab-separated line per tool: name, version, kind, source."""
    done = tools_sh("list")
    assert done.returncode == 0
    rows = [line.split("\t") for line in done.stdout.splitlines()]
    assert ["kubeconform", "0.8.0", "go", "github.com/yannh/kubeconform"] in rows
    assert all(len(row) == 4 for row in rows)
