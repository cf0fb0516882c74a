"""scripts/addons-render.py renders each pinned add-on chart or says by name why it cannot here."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.platform.argocd.model import REPO, Doc, every_application

SCRIPT = REPO / "scripts" / "addons-render.py"
CI_LINE = "rendered by the CI workflow job addons-render"
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  namespace: {{ .Release.Namespace }}
spec:
  selector:
    matchLabels: {app: demo}
  template:
    metadata:
      labels: {app: demo}
    spec:
      containers:
        - name: demo
          image: registry.example/demo@sha256:0000000000000000000000000000000000000000000000000000000000000000
          securityContext: {privileged: PRIVILEGED}
"""
EXTRA = "{{- range .Values.extraObjects }}\n---\n{{ tpl . $ }}\n{{- end }}\n"


def run(charts: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """The script as the CI job runs it, minus --fetch, with its own chart store."""
    env = {**os.environ, "MEDQA_CHARTS_DIR": str(charts)}
    command = [sys.executable, str(SCRIPT), str(out)]
    return subprocess.run(command, capture_output=True, text=True, check=False, env=env, timeout=300)


def pinned(tree: list[tuple[Path, Doc]]) -> set[tuple[str, str]]:
    """(chart, version) of every add-on chart Argo CD installs."""
    sources = [a["spec"]["source"] for a in every_application(tree)]
    return {(s["chart"], s["targetRevision"]) for s in sources if "chart" in s}


def test_every_pinned_chart_is_named_when_its_archive_cannot_be_had(
    tree: list[tuple[Path, Doc]], tmp_path: Path
) -> None:
    """No chart archive is obtainable here: each chart gets its own line naming the CI job, none is skipped."""
    done = run(tmp_path / "charts", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    print("\n".join(lines))
    expected = pinned(tree)
    assert len(expected) == 4 and len(lines) == len(expected)
    for chart, version in sorted(expected):
        line = next((x for x in lines if x.startswith(f"chart {chart} {version}: ")), None)
        assert line is not None, f"{chart} {version} missing from {lines}"
        assert "not obtainable here (" in line and line.endswith(CI_LINE), line


@pytest.fixture
def fake_cert_manager(tool: Callable[[str], Path], tmp_path: Path) -> Callable[..., Path]:
    """Package a stand-in chart under the cert-manager name and pin (templates: extraObjects + a Deployment)."""

    def package(privileged: bool, more: str = "") -> Path:
        chart = tmp_path / "src" / "cert-manager"
        (chart / "templates").mkdir(parents=True, exist_ok=True)
        (chart / "Chart.yaml").write_text("apiVersion: v2\nname: cert-manager\nversion: v1.21.2\n")
        (chart / "templates" / "extra.yaml").write_text(EXTRA)
        text = DEPLOYMENT.replace("PRIVILEGED", "true" if privileged else "false")
        (chart / "templates" / "deployment.yaml").write_text(text + more)
        store = tmp_path / "charts"
        env = {**os.environ, **{f"HELM_{k}_HOME": str(tmp_path / k) for k in ("CACHE", "CONFIG", "DATA")}}
        command = [str(tool("helm")), "package", str(chart), "--destination", str(store)]
        subprocess.run(command, check=True, capture_output=True, env=env)
        return store

    for name in ("kubeconform", "k8s-schemas", "crd-schemas"):
        tool(name)
    return package


def test_a_chart_archive_is_rendered_with_its_values_and_validated(
    fake_cert_manager: Callable[..., Path], tmp_path: Path
) -> None:
    """With an archive present: helm template with our values (the ClusterIssuer), kubeconform, checkov pass."""
    done = run(fake_cert_manager(False), tmp_path / "out")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "chart cert-manager v1.21.2: Summary: 2 resources found" in done.stdout, done.stdout
    assert "Valid: 2, Invalid: 0, Errors: 0, Skipped: 0" in done.stdout
    rendered = (tmp_path / "out" / "cert-manager.yaml").read_text()
    assert "kind: ClusterIssuer" in rendered and "azureDNS" in rendered
    assert (tmp_path / "out" / "cert-manager.checkov.txt").is_file()


def test_a_privileged_addon_fails_by_name(fake_cert_manager: Callable[..., Path], tmp_path: Path) -> None:
    """A chart that renders a privileged container fails, naming the chart and checkov."""
    done = run(fake_cert_manager(True), tmp_path / "out")
    assert done.returncode == 1
    assert "addons-render: chart cert-manager v1.21.2: checkov" in done.stderr
    assert "CKV_K8S_16" in done.stderr


def test_an_object_the_addons_project_refuses_fails_by_name(
    fake_cert_manager: Callable[..., Path], tmp_path: Path
) -> None:
    """A cluster-scoped kind the platform-addons project does not list fails before any sync would."""
    priority = "---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: x}\nvalue: 1000\n"
    done = run(fake_cert_manager(False, priority), tmp_path / "out")
    assert done.returncode == 1
    expected = "chart cert-manager v1.21.2: platform-addons refuses scheduling.k8s.io/PriorityClass not in the"
    assert expected in done.stderr, done.stderr
