"""The `gowrap` kind and tool groups (issue #13): how a module with replace directives gets built."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

Loader = Callable[[str], ModuleType]
Run = Callable[..., subprocess.CompletedProcess[str]]

KUBERNETES_LIKE: dict[str, Any] = {
    "Require": [
        {"Path": "k8s.io/api", "Version": "v0.0.0"},
        {"Path": "github.com/spf13/cobra", "Version": "v1.9.1"},
    ],
    "Replace": [
        {"Old": {"Path": "k8s.io/api"}, "New": {"Path": "./staging/src/k8s.io/api"}},
        {"Old": {"Path": "go.etcd.io/etcd"}, "New": {"Path": "./FORBIDDEN_DEPENDENCY"}},
        {"Old": {"Path": "golang.org/x/tools"}, "New": {"Path": "golang.org/x/tools", "Version": "v0.35.0"}},
        {
            "Old": {"Path": "gopkg.in/yaml.v2", "Version": "v2.2.8"},
            "New": {"Path": "gopkg.in/yaml.v2", "Version": "v2.4.0"},
        },
    ],
}
SPEC = {"module": "k8s.io/kubernetes", "module_version": "v1.34.4", "local_replace_version": "v0.34.4"}


def test_local_replaces_are_pinned_and_module_replaces_copied(script: Loader) -> None:
    """Directories become published versions; module-to-module replaces are carried over as they are."""
    edits = script("toolchain").wrapper_edits(SPEC, KUBERNETES_LIKE)
    assert edits == [
        "-require=k8s.io/kubernetes@v1.34.4",
        "-replace=k8s.io/api=k8s.io/api@v0.34.4",
        "-replace=golang.org/x/tools=golang.org/x/tools@v0.35.0",
        "-replace=gopkg.in/yaml.v2@v2.2.8=gopkg.in/yaml.v2@v2.4.0",
    ]


def test_a_per_module_pin_beats_the_default(script: Loader) -> None:
    """`pins` names the version of one replaced directory (Argo CD's gitops-engine, say)."""
    spec = {**SPEC, "pins": {"k8s.io/api": "v0.34.1"}}
    assert "-replace=k8s.io/api=k8s.io/api@v0.34.1" in script("toolchain").wrapper_edits(spec, KUBERNETES_LIKE)


def test_a_local_replace_without_a_pin_is_an_error(script: Loader) -> None:
    """Nothing is guessed: a required module replaced by a directory needs a pin in the manifest."""
    toolchain = script("toolchain")
    spec = {"module": "k8s.io/kubernetes", "module_version": "v1.34.4"}
    with pytest.raises(toolchain.ToolError, match=r"k8s\.io/api with a directory"):
        toolchain.wrapper_edits(spec, KUBERNETES_LIKE)


def test_a_bare_install_leaves_the_cluster_group_alone(script: Loader) -> None:
    """`install` with no names means every ungrouped tool; `--group cluster` means the control plane."""
    toolchain = script("toolchain")
    tools = toolchain.load_manifest()
    everything = toolchain._expand(tools, [])
    assert "kube-apiserver" not in everything and "kubeconform" in everything
    cluster = toolchain._expand(tools, ["--group", "cluster"])
    assert set(cluster) == {n for n, s in tools.items() if s.get("group") == "cluster"}


def test_group_usage_errors_exit_2(tools_sh: Run) -> None:
    """An unknown group, or --group without a name, is a usage error with a message."""
    unknown = tools_sh("install", "--group", "no-such-group")
    assert unknown.returncode == 2
    assert "no-such-group" in unknown.stderr
    bare = tools_sh("install", "--group")
    assert bare.returncode == 2
    assert "--group needs a group name" in bare.stderr


def test_a_module_that_cannot_be_had_is_a_tool_error(script: Loader, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the proxy switched off and the module not cached, the error names the module and the reason."""
    toolchain = script("toolchain")
    monkeypatch.setenv("GOPROXY", "off")
    with pytest.raises(toolchain.ToolError, match=r"example\.invalid/nothing@v1\.0\.0: .*GOPROXY=off"):
        toolchain.module_dir("example.invalid/nothing", "v1.0.0")
