"""modules/argocd_bootstrap/bootstrap.sh: refuses half-configured runs, installs the pins, seeds the registration."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.platform.terraform.conftest import TF_DIR

SCRIPT = TF_DIR / "modules" / "argocd_bootstrap" / "bootstrap.sh"
ENV = {
    "CLUSTER_NAME": "aks-medqa-dev-weu",
    "RESOURCE_GROUP": "rg-medqa-dev-weu",
    "NAMESPACE": "argocd",
    "CHART_REPOSITORY": "https://charts.example.org",
    "ARGOCD_CHART_VERSION": "9.5.4",
    "ARGOCD_APPS_CHART_VERSION": "2.0.2",
    "ARGOCD_VALUES": '{"dex": {"enabled": false}}',
    "APPS_VALUES": '{"applications": {"root": {"source": {"path": "gitops/argocd"}}}}',
    "REGISTRATION_MANIFEST": json.dumps({
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {
            "name": "cluster-registration", "namespace": "argocd",
            "labels": {"argocd.argoproj.io/secret-type": "cluster", "medqa.io/environment": "dev"},
            "annotations": {"medqa.io/kyverno-client-id": "c1000000-0000-0000-0000-00000000000c"},
        },
        "stringData": {"name": "dev", "server": "https://kubernetes.default.svc"},
    }),
}  # fmt: skip
TOOLS = ("az", "kubelogin", "helm", "kubectl")


def fake_tools(bin_dir: Path, log: Path, names: tuple[str, ...] = TOOLS) -> None:
    """Stand-ins for the CLIs at the network edge: they record their arguments and succeed."""
    bin_dir.mkdir()
    for name in names:
        tool = bin_dir / name
        tool.write_text(
            f'#!/bin/bash\necho "{name} $*" >> "{log}"\n'
            f'for a in "$@"; do [[ -f "$a" ]] && cat "$a" >> "{log}" && echo >> "{log}"; done\nexit 0\n'
        )
        tool.chmod(0o755)


def run(bin_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run bootstrap.sh with only bin_dir and the system directories on PATH."""
    merged = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"), **env}
    return subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, env=merged, timeout=60, check=False)


def test_missing_cli_is_reported(tmp_path: Path) -> None:
    fake_tools(tmp_path / "bin", tmp_path / "log", names=("az", "kubelogin"))
    result = run(tmp_path / "bin", **ENV)
    assert result.returncode == 1
    assert "argocd_bootstrap: helm is not on PATH" in result.stderr


def test_missing_setting_is_reported(tmp_path: Path) -> None:
    fake_tools(tmp_path / "bin", tmp_path / "log")
    env = {k: v for k, v in ENV.items() if k != "ARGOCD_CHART_VERSION"}
    result = run(tmp_path / "bin", **env)
    assert result.returncode == 1
    assert "argocd_bootstrap: ARGOCD_CHART_VERSION is not set" in result.stderr


def test_installs_pinned_charts_with_entra_kubeconfig(tmp_path: Path) -> None:
    log = tmp_path / "log"
    fake_tools(tmp_path / "bin", log)
    result = run(tmp_path / "bin", **ENV)
    assert result.returncode == 0, result.stderr
    calls = log.read_text()
    assert "az aks get-credentials --resource-group rg-medqa-dev-weu --name aks-medqa-dev-weu" in calls
    assert "kubelogin convert-kubeconfig --login azurecli" in calls
    assert "helm upgrade --install argocd argo-cd --repo https://charts.example.org --version 9.5.4" in calls
    assert "helm upgrade --install argocd-root argocd-apps --repo https://charts.example.org --version 2.0.2" in calls
    assert '"path": "gitops/argocd"' in calls


def test_helm_failure_stops_the_bootstrap(tmp_path: Path) -> None:
    log = tmp_path / "log"
    fake_tools(tmp_path / "bin", log)
    (tmp_path / "bin" / "helm").write_text("#!/bin/bash\necho 'Error: cluster unreachable' >&2\nexit 1\n")
    result = run(tmp_path / "bin", **ENV)
    assert result.returncode == 1
    assert "cluster unreachable" in result.stderr
    assert "are installed" not in result.stdout


def calls_of(log: Path) -> list[str]:
    """The CLI invocations in the log (without the file contents the stand-ins copy into it)."""
    return [line for line in log.read_text().splitlines() if line.split(" ", 1)[0] in TOOLS]


def test_seeds_the_registration_when_absent_between_the_two_charts(tmp_path: Path) -> None:
    """First boot: ESO is configured from the registration, so the bootstrap writes it once itself."""
    log = tmp_path / "log"
    fake_tools(tmp_path / "bin", log)
    result = run(tmp_path / "bin", **ENV)
    assert result.returncode == 0, result.stderr
    calls = calls_of(log)
    words = [c.split(" ") for c in calls if c.startswith(("helm ", "kubectl "))]
    steps = [w[1] if w[0] == "kubectl" else w[3] for w in words]
    assert steps == ["argocd", "get", "create", "argocd-root"], calls
    assert "kubectl get secret cluster-registration --namespace argocd --ignore-not-found --output name" in calls
    created = [c for c in calls if c.startswith("kubectl create --filename ")]
    assert len(created) == 1
    assert ENV["REGISTRATION_MANIFEST"] in log.read_text()
    assert "seeded the cluster registration Secret in argocd" in result.stdout


def test_an_existing_registration_is_left_to_external_secrets(tmp_path: Path) -> None:
    log = tmp_path / "log"
    fake_tools(tmp_path / "bin", log)
    present = '[[ "$1" == get ]] && echo secret/cluster-registration'
    (tmp_path / "bin" / "kubectl").write_text(f'#!/bin/bash\necho "kubectl $*" >> "{log}"\n{present}\nexit 0\n')
    result = run(tmp_path / "bin", **ENV)
    assert result.returncode == 0, result.stderr
    assert not [c for c in calls_of(log) if c.startswith("kubectl") and not c.startswith("kubectl get ")]
    assert "External Secrets Operator keeps it" in result.stdout


def test_unreachable_cluster_is_not_read_as_absent_registration(tmp_path: Path) -> None:
    log = tmp_path / "log"
    fake_tools(tmp_path / "bin", log)
    unreachable = 'echo "Unable to connect" >&2; exit 1'
    (tmp_path / "bin" / "kubectl").write_text(f'#!/bin/bash\necho "kubectl $*" >> "{log}"\n{unreachable}\n')
    result = run(tmp_path / "bin", **ENV)
    assert result.returncode == 1
    assert not [c for c in calls_of(log) if c.startswith(("kubectl create", "helm upgrade --install argocd-root"))]


def test_values_reach_helm_unchanged(tmp_path: Path) -> None:
    """The SSO settings Terraform renders are what helm installs (the values file is the env var)."""
    log = tmp_path / "log"
    fake_tools(tmp_path / "bin", log)
    values = '{"configs": {"cm": {"oidc.config": "clientID: bbbbbbbb\\nazure:\\n  useWorkloadIdentity: true\\n"}}}'
    result = run(tmp_path / "bin", **{**ENV, "ARGOCD_VALUES": values})
    assert result.returncode == 0, result.stderr
    assert values in log.read_text()
