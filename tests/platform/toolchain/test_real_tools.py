"""The pinned tools themselves, run offline on tiny samples (each test in its own temp dir)."""

from __future__ import annotations

import functools
import os
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

Tool = Callable[[str], Path]
REPO = Path(__file__).resolve().parents[3]


@functools.cache
def _no_network_prefix() -> tuple[str, ...]:
    """`unshare -n` (a network namespace with no interface up) where the kernel allows it."""
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False)
    return ("unshare", "-n") if probe.returncode == 0 else ()


def run(*command: str | Path, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a tool with no network, a private HOME and no update checks."""
    merged = {**os.environ, "HOME": str(cwd), "CHECKPOINT_DISABLE": "1", **env}
    return subprocess.run(
        [*_no_network_prefix(), *map(str, command)],
        cwd=cwd,
        env=merged,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, labels: {app.kubernetes.io/name: api}, creationTimestamp: null}
spec:
  replicas: 2
  selector: {matchLabels: {app.kubernetes.io/name: api}}
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 25%}}
  template:
    metadata: {labels: {app.kubernetes.io/name: api}}
    spec:
      containers:
        - name: api
          image: medqa/api:1.0.0
          ports: [{containerPort: 8000, name: http}]
          resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 1, memory: 256Mi}}
          readinessProbe: {httpGet: {path: /health, port: http}}
"""
APPLICATION = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: medqa, namespace: argocd}
spec:
  project: medqa
  source: {repoURL: "https://git.example.invalid/medqa.git", path: gitops, targetRevision: main}
  destination: {server: "https://kubernetes.default.svc", namespace: medqa}
  syncPolicy: {automated: {prune: true, selfHeal: true}, syncOptions: [CreateNamespace=true]}
"""
CRD_OBJECTS = """\
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: api}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: api}}
  endpoints: [{port: http, path: /metrics, interval: 30s}]
---
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: selfsigned}
spec: {selfSigned: {}}
---
apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata: {name: api}
spec: {provider: azure, parameters: {keyvaultName: kv-medqa}}
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: api}
spec:
  secretStoreRef: {kind: SecretStore, name: kv}
  target: {name: api}
  data: [{secretKey: GEMINI_API_KEY, remoteRef: {key: gemini-api-key}}]
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: signed}
spec:
  rules:
    - name: signed
      match: {any: [{resources: {kinds: [Pod]}}]}
      verifyImages: [{imageReferences: ["example.invalid/*"], failureAction: Enforce}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api}
spec:
  endpointSelector: {matchLabels: {app: api}}
  egress: [{toFQDNs: [{matchName: generativelanguage.googleapis.com}], toPorts: [{ports: [{port: "443"}]}]}]
"""


def _kubeconform(tool: Tool, tmp_path: Path, manifest: str) -> subprocess.CompletedProcess[str]:
    """Validate one manifest strictly against our core and CRD schemas only."""
    (tmp_path / "m.yaml").write_text(manifest)
    core = f"{tool('k8s-schemas')}/{{{{.ResourceKind}}}}{{{{.KindSuffix}}}}.json"
    crds = f"{tool('crd-schemas')}/{{{{.Group}}}}/{{{{.ResourceKind}}}}_{{{{.ResourceAPIVersion}}}}.json"
    return run(
        tool("kubeconform"), "-strict", "-summary", "-schema-location", core,
        "-schema-location", crds, "m.yaml", cwd=tmp_path,
    )  # fmt: skip


def test_kubeconform_accepts_valid_core_and_crd_objects(tool: Tool, tmp_path: Path) -> None:
    """A Deployment, an Argo CD Application and the add-on CRs all validate."""
    done = _kubeconform(tool, tmp_path, "---\n".join([DEPLOYMENT, APPLICATION, CRD_OBJECTS]))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Valid: 8, Invalid: 0, Errors: 0, Skipped: 0" in done.stdout


@pytest.mark.parametrize(
    ("manifest", "field"),
    [
        (DEPLOYMENT.replace("replicas: 2", "replica: 2"), "replica"),
        (DEPLOYMENT.replace("name: http}]", "name: http, hostPorts: 1}]"), "hostPorts"),
        (APPLICATION.replace("selfHeal: true", "selfheal: true"), "selfheal"),
        (CRD_OBJECTS.replace("interval: 30s", "intervall: 30s"), "intervall"),
        (CRD_OBJECTS.replace("remoteRef: {key:", "remoteRef: {name:"), "name"),
        (CRD_OBJECTS.replace("failureAction: Enforce", "failureActions: Enforce"), "failureActions"),
        (CRD_OBJECTS.replace("toFQDNs:", "toFQDN:"), "toFQDN"),
    ],
    ids=[
        "deployment-spec",
        "container",
        "argocd-application",
        "servicemonitor",
        "externalsecret",
        "clusterpolicy",
        "ciliumnetworkpolicy",
    ],
)
def test_kubeconform_rejects_a_misspelt_field(tool: Tool, tmp_path: Path, manifest: str, field: str) -> None:
    """Strict schemas catch a typo in a core object and in CRD objects."""
    done = _kubeconform(tool, tmp_path, manifest)
    assert done.returncode == 1
    assert f"'{field}' not allowed" in done.stdout


def test_kubeconform_with_an_unknown_kind_errors(tool: Tool, tmp_path: Path) -> None:
    """A kind with no schema here is an error, not a silent pass (nothing is downloaded)."""
    done = _kubeconform(tool, tmp_path, "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\n")
    assert done.returncode == 1
    assert "could not find schema" in done.stdout


AZURERM_MODULE = """\
terraform {
  required_version = ">= 1.11"
  required_providers {
    azurerm = { source = "hashicorp/azurerm", version = "5.2.0" }
  }
}
provider "azurerm" {
  features {}
}
variable "location" {
  type        = string
  description = "Azure region."
}
resource "azurerm_resource_group" "this" {
  name     = "rg-medqa-sample"
  location = var.location
}
"""


@pytest.mark.slow
def test_terraform_init_and_validate_with_the_real_azurerm(tool: Tool, tmp_path: Path) -> None:
    """init from the filesystem mirror (no registry), validate, then catch a bad argument."""
    plugins = tool("terraform-providers")
    (tmp_path / "main.tf").write_text(AZURERM_MODULE)
    init = run(tool("terraform"), "init", "-backend=false", "-input=false", f"-plugin-dir={plugins}", cwd=tmp_path)
    assert init.returncode == 0, init.stdout + init.stderr
    assert "hashicorp/azurerm v5.2.0" in init.stdout
    valid = run(tool("terraform"), "validate", "-no-color", cwd=tmp_path)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    broken = AZURERM_MODULE.replace("location = var.location", "locaton = var.location")
    (tmp_path / "main.tf").write_text(broken)
    invalid = run(tool("terraform"), "validate", "-no-color", cwd=tmp_path)
    assert invalid.returncode == 1
    assert 'An argument named "locaton" is not expected here' in invalid.stderr


def test_tflint_flags_an_unused_variable(tool: Tool, tmp_path: Path) -> None:
    """tflint's bundled terraform ruleset runs offline (the azurerm ruleset is not obtainable)."""
    (tmp_path / "main.tf").write_text(AZURERM_MODULE + 'variable "unused" {\n  type = string\n}\n')
    done = run(tool("tflint"), "--format", "compact", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert 'variable "unused" is declared but not used (terraform_unused_declarations)' in done.stdout
    assert "location" not in done.stdout


WORKFLOW = """\
name: ci
on: [push]
permissions: {}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event.head_commit.message }}"
"""


def test_actionlint_accepts_a_workflow_and_rejects_a_bad_key(tool: Tool, tmp_path: Path) -> None:
    """A clean workflow passes; an unknown job key is reported."""
    clean = WORKFLOW.replace("${{ github.event.head_commit.message }}", "hello")
    (tmp_path / "ok.yml").write_text(clean)
    (tmp_path / "bad.yml").write_text(clean.replace("runs-on:", "runs_on:"))
    assert run(tool("actionlint"), "-shellcheck=", "ok.yml", cwd=tmp_path).returncode == 0
    bad = run(tool("actionlint"), "-shellcheck=", "bad.yml", cwd=tmp_path)
    assert bad.returncode == 1
    assert 'unexpected key "runs_on" for "job" section' in bad.stdout


def test_zizmor_offline_flags_template_injection(tool: Tool, tmp_path: Path) -> None:
    """zizmor --offline reads a workflow with no network and finds the injection."""
    (tmp_path / "ci.yml").write_text(WORKFLOW)
    done = run(tool("zizmor"), "--offline", "ci.yml", cwd=tmp_path)
    assert done.returncode != 0
    assert "template-injection" in done.stdout


RULES = """\
groups:
  - name: sample
    rules:
      - alert: ApiDown
        expr: up{job="api"} == 0
        for: 1m
        labels: {severity: critical}
        annotations: {summary: API is down, runbook_url: "https://runbooks.example.invalid/api-down"}
"""
RULE_TEST = """\
rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'up{job="api"}'
        values: "0x5"
    alert_rule_test:
      - eval_time: 3m
        alertname: ApiDown
        exp_alerts:
          - exp_labels: {severity: critical, job: api}
            exp_annotations: {summary: API is down, runbook_url: "https://runbooks.example.invalid/api-down"}
"""


def test_promtool_checks_and_unit_tests_rules(tool: Tool, tmp_path: Path) -> None:
    """`promtool test rules` passes a right expectation and fails a wrong one."""
    (tmp_path / "rules.yml").write_text(RULES)
    (tmp_path / "ok.yml").write_text(RULE_TEST)
    (tmp_path / "wrong.yml").write_text(RULE_TEST.replace("severity: critical, job", "severity: page, job"))
    assert run(tool("promtool"), "check", "rules", "rules.yml", cwd=tmp_path).returncode == 0
    ok = run(tool("promtool"), "test", "rules", "ok.yml", cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert run(tool("promtool"), "test", "rules", "wrong.yml", cwd=tmp_path).returncode == 1


def test_kustomize_builds_an_overlay_and_sets_an_image(tool: Tool, tmp_path: Path) -> None:
    """`kustomize edit set image` in an overlay shows up in `kustomize build`."""
    base, overlay = tmp_path / "base", tmp_path / "overlay"
    base.mkdir()
    overlay.mkdir()
    (base / "deployment.yaml").write_text(DEPLOYMENT)
    (base / "kustomization.yaml").write_text("resources: [deployment.yaml]\n")
    (overlay / "kustomization.yaml").write_text("resources: [../base]\nnamespace: medqa-dev\n")
    edit = run(tool("kustomize"), "edit", "set", "image", "medqa/api=medqa/api:2.0.0", cwd=overlay)
    assert edit.returncode == 0, edit.stderr
    built = run(tool("kustomize"), "build", ".", cwd=overlay)
    assert built.returncode == 0, built.stderr
    assert "image: medqa/api:2.0.0" in built.stdout
    assert "namespace: medqa-dev" in built.stdout


def test_kube_score_passes_a_hardened_deployment_and_flags_a_bare_one(tool: Tool, tmp_path: Path) -> None:
    """kube-score runs offline: a Deployment without limits or security context is CRITICAL (exit 1)."""
    bare = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: demo}\nspec:\n"
    bare += "  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n"
    bare += "    spec: {containers: [{name: api, image: 'medqa/api:1.0.0'}]}\n"
    (tmp_path / "bare.yaml").write_text(bare)
    done = run(tool("kube-score"), "score", "-o", "ci", "bare.yaml", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "[CRITICAL] api/demo apps/v1/Deployment: (api) CPU limit is not set" in done.stdout
    (tmp_path / "ok.yaml").write_text(DEPLOYMENT)
    limited = run(tool("kube-score"), "score", "-o", "ci", "ok.yaml", cwd=tmp_path)
    assert "CPU limit is not set" not in limited.stdout, limited.stdout


def test_helm_lints_and_renders_a_chart(tool: Tool, tmp_path: Path) -> None:
    """helm create, lint and template work with no repository access."""
    helm = tool("helm")
    assert run(helm, "create", "sample", cwd=tmp_path).returncode == 0
    lint = run(helm, "lint", "sample", cwd=tmp_path)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    rendered = run(helm, "template", "demo", "sample", "--set", "replicaCount=3", cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    assert "replicas: 3" in rendered.stdout


def test_a_second_install_of_everything_is_a_no_op(tool: Tool) -> None:
    """With the cache filled, `tools.sh install` builds nothing and succeeds quickly."""
    listed = subprocess.run(
        ["bash", str(REPO / "scripts" / "tools.sh"), "list"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    manifest = tomllib.loads((REPO / "scripts" / "tools.toml").read_text())["tools"]
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    rows = [row for row in rows if "group" not in manifest[row[0]]]  # grouped tools are opt-in
    for name, _version, kind, _source in rows:
        if kind != "missing":
            tool(name)  # skip (or fail in CI) before install would start a real build
    done = subprocess.run(
        ["bash", str(REPO / "scripts" / "tools.sh"), "install"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(rows)
    assert all(": present " in line or ": unavailable (" in line for line in lines), lines
