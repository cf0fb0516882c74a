"""Render every pinned add-on chart of gitops/argocd/addons with its values, and validate the output.

Usage: addons-render.py [--fetch] OUT_DIR

For each chart source (an Application, or an ApplicationSet's template filled with placeholder registration
values) it takes the chart archive `<chart>-<version>.tgz` from MEDQA_CHARTS_DIR (default
~/.cache/medqa-tools/charts), or with --fetch pulls it from the chart repository first. It runs the pinned
`helm template` (--include-crds, as Argo CD renders), checks that the platform-addons AppProject admits every
object (cluster-scoped kinds, namespaces), then kubeconform -strict with the pinned Kubernetes and
CRD schemas (a kind without a schema is an error) and checkov, failing on the checks in HARD_FAIL (the full
report goes to OUT_DIR/<chart>.checkov.txt: third-party charts are not held to the overlays' own policy).

Without --fetch, a chart whose archive is absent is reported by name, one line each, and does not fail:
no registry reachable here serves chart archives, so the CI workflow job `addons-render` renders them where
the chart repositories are reachable (`--fetch`, where an absent chart is a failure).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
ADDONS = REPO / "gitops" / "argocd" / "addons"
TOOLS_SH = REPO / "scripts" / "tools.sh"
CHECKOV_SH = REPO / "scripts" / "checkov.sh"
KUBE_VERSION = "1.34.0"
NOT_HERE = (
    "no chart repository is reachable here and no package registry (PyPI, npm, Debian, crates.io, Maven) "
    "serves this chart's archive"
)
# What no add-on may do, whatever its chart's defaults: privileged containers, the host's PID/IPC/network
# namespaces, CAP_SYS_ADMIN.
HARD_FAIL = ("CKV_K8S_16", "CKV_K8S_17", "CKV_K8S_18", "CKV_K8S_19", "CKV_K8S_39")
# Placeholders for the cluster registration annotations (secrets/cluster-registration.yaml) that the
# ApplicationSets read: shaped like the real values, obviously not them.
REGISTRATION = {
    "medqa.io/key-vault-url": "https://kvmedqaexampleweu.vault.azure.net/",
    "medqa.io/eso-client-id": "00000000-0000-0000-0000-000000000000",
    "medqa.io/cert-manager-client-id": "00000000-0000-0000-0000-000000000000",
    "medqa.io/kyverno-client-id": "00000000-0000-0000-0000-000000000000",
    "medqa.io/dns-zone-resource-group": "rg-example",
    "medqa.io/dns-zone-subscription-id": "00000000-0000-0000-0000-000000000000",
    "medqa.io/ingress-ip-name": "pip-example",
    "medqa.io/ingress-ip-resource-group": "rg-example",
    "medqa.io/front-door-backend-cidrs": "192.0.2.0/24",
}
IN_CLUSTER = "https://kubernetes.default.svc"
PROJECT = REPO / "gitops" / "argocd" / "projects" / "platform-addons.yaml"
# Cluster-scoped kinds of Kubernetes 1.34 a chart may render; a chart's own CRDs say their scope themselves.
CLUSTER_SCOPED = {
    "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding", "IngressClass", "PriorityClass", "StorageClass",
    "APIService", "PersistentVolume", "CSIDriver", "RuntimeClass", "ClusterIssuer", "ClusterSecretStore",
    "ClusterPolicy",
}  # fmt: skip
_ANNOTATION = re.compile(r'index \.metadata\.annotations "([^"]+)"')
_ACTION = re.compile(r"{{\s*\.(values\.[A-Za-z]+|server)\s*}}")


class RenderError(Exception):
    """A chart cannot be rendered or its output is invalid; the message names the chart."""


@dataclass(frozen=True)
class Chart:
    """One pinned chart source with the values Argo CD passes to it."""

    name: str
    version: str
    repo: str
    release: str
    namespace: str
    values: dict[str, Any]

    @property
    def archive(self) -> str:
        """The file name `helm pull` writes."""
        return f"{self.name}-{self.version}.tgz"


def _fill(node: Any, params: dict[str, str]) -> Any:
    """Replace `{{ .values.x }}` and `{{ .server }}` (all the add-on templates use); refuse anything else."""
    if isinstance(node, dict):
        return {k: _fill(v, params) for k, v in node.items()}
    if isinstance(node, list):
        return [_fill(v, params) for v in node]
    if isinstance(node, str):
        text = _ACTION.sub(lambda m: params[m.group(1)], node)
        if "{{" in text:
            raise RenderError(f"template action not understood: {text!r}")
        return text
    return node


def _template_params(appset: dict[str, Any]) -> dict[str, str]:
    """The parameters an add-on ApplicationSet's clusters generator gives its template, from placeholders."""
    # The first generator: the long-lived cluster's (a dedicated cluster's reads the same annotations).
    generator = appset["spec"]["generators"][0]
    params = {"server": IN_CLUSTER}
    for key, expression in generator["clusters"].get("values", {}).items():
        found = set(_ANNOTATION.findall(expression))
        if not found:
            # A literal, such as the Application's name.
            params[f"values.{key}"] = expression
            continue
        (annotation,) = found
        if annotation not in REGISTRATION:
            raise RenderError(f"{appset['metadata']['name']}: no placeholder for annotation {annotation}")
        params[f"values.{key}"] = REGISTRATION[annotation]
    return params


def charts(addons: Path = ADDONS) -> list[Chart]:
    """Every chart source under gitops/argocd/addons (Applications and ApplicationSet templates)."""
    found = []
    for path in sorted(addons.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if not doc or doc["kind"] not in ("Application", "ApplicationSet"):
                continue
            app = doc if doc["kind"] == "Application" else _fill(doc["spec"]["template"], _template_params(doc))
            source = app["spec"]["source"]
            if "chart" not in source:
                continue
            helm = source.get("helm", {})
            release = helm.get("releaseName", app["metadata"]["name"])
            namespace = app["spec"]["destination"]["namespace"]
            values = helm.get("valuesObject", {})
            found.append(
                Chart(source["chart"], source["targetRevision"], source["repoURL"], release, namespace, values)
            )
    return found


def _run(command: list[str], what: str, **env: str) -> str:
    """Run a tool; return stdout or raise with the tool's own words."""
    done = subprocess.run(command, capture_output=True, text=True, check=False, env={**os.environ, **env})
    if done.returncode != 0:
        raise RenderError(f"{what}:\n{done.stdout}{done.stderr}".rstrip())
    return done.stdout


def tool(name: str) -> str:
    """The pinned tool's path (scripts/tools.sh path)."""
    return _run(["bash", str(TOOLS_SH), "path", name], f"tools.sh path {name}").strip()


def fetch(chart: Chart, into: Path, helm_env: dict[str, str]) -> None:
    """helm pull the pinned version from its repository (the CI job; needs the chart repository)."""
    command = [tool("helm"), "pull", chart.name, "--repo", chart.repo, "--version", chart.version]
    _run([*command, "--destination", str(into)], f"chart {chart.name} {chart.version}: helm pull", **helm_env)


def render(chart: Chart, archive: Path, out: Path, helm_env: dict[str, str]) -> Path:
    """helm template with the Application's values into OUT/<chart>.yaml."""
    values = out / f"{chart.name}.values.yaml"
    values.write_text(yaml.safe_dump(chart.values, sort_keys=False), encoding="utf-8")
    command = [tool("helm"), "template", chart.release, str(archive), "--namespace", chart.namespace]
    command += ["--values", str(values), "--kube-version", KUBE_VERSION, "--include-crds"]
    rendered = out / f"{chart.name}.yaml"
    rendered.write_text(_run(command, f"chart {chart.name} {chart.version}: helm template", **helm_env))
    return rendered


def validate(chart: Chart, rendered: Path) -> str:
    """kubeconform -strict (no missing schema tolerated), then checkov with HARD_FAIL; return the summaries."""
    core, crds = tool("k8s-schemas"), tool("crd-schemas")
    command = [tool("kubeconform"), "-strict", "-summary", "-kubernetes-version", KUBE_VERSION]
    command += ["-schema-location", f"{core}/{{{{.ResourceKind}}}}{{{{.KindSuffix}}}}.json"]
    command += ["-schema-location", f"{crds}/{{{{.Group}}}}/{{{{.ResourceKind}}}}_{{{{.ResourceAPIVersion}}}}.json"]
    summary = _run([*command, str(rendered)], f"chart {chart.name} {chart.version}: kubeconform").strip()
    checkov = ["bash", str(CHECKOV_SH), "--framework", "kubernetes", "-f", str(rendered), "--compact", "--quiet"]
    report = _run([*checkov, "--hard-fail-on", ",".join(HARD_FAIL)], f"chart {chart.name} {chart.version}: checkov")
    rendered.with_suffix(".checkov.txt").write_text(report, encoding="utf-8")
    return (summary.splitlines() or ["kubeconform: no output"])[-1] + f"; checkov report {rendered.stem}.checkov.txt"


def admission(chart: Chart, rendered: Path) -> None:
    """Refuse what the platform-addons AppProject would refuse: a cluster-scoped kind it does not list, or an
    object outside its destination namespaces (Argo CD would fail the sync on the cluster)."""
    spec = yaml.safe_load(PROJECT.read_text(encoding="utf-8"))["spec"]
    allowed = {(e["group"], e["kind"]) for e in spec["clusterResourceWhitelist"]}
    namespaces = {d["namespace"] for d in spec["destinations"]}
    objects = [d for d in yaml.safe_load_all(rendered.read_text(encoding="utf-8")) if d]
    scoped = CLUSTER_SCOPED | {
        d["spec"]["names"]["kind"]
        for d in objects
        if d["kind"] == "CustomResourceDefinition" and d["spec"]["scope"] == "Cluster"
    }
    refused = []
    for obj in objects:
        group = obj["apiVersion"].split("/")[0] if "/" in obj["apiVersion"] else ""
        if obj["kind"] in scoped:
            if (group, obj["kind"]) not in allowed:
                refused.append(f"{group}/{obj['kind']} not in the clusterResourceWhitelist")
        elif obj["metadata"].get("namespace", chart.namespace) not in namespaces:
            refused.append(f"{obj['kind']}/{obj['metadata']['name']}: namespace not among the destinations")
    if refused:
        raise RenderError(
            f"chart {chart.name} {chart.version}: platform-addons refuses " + "; ".join(sorted(set(refused)))
        )


def check(out: Path, fetch_missing: bool) -> int:
    """Render and validate every chart; print one line per chart; exit 1 on any failure."""
    out.mkdir(parents=True, exist_ok=True)
    store = Path(os.environ.get("MEDQA_CHARTS_DIR", Path.home() / ".cache" / "medqa-tools" / "charts"))
    failed = 0
    with tempfile.TemporaryDirectory(prefix="medqa-helm-") as home:
        # helm keeps repositories and caches here, never in the user's own configuration.
        helm_env = {f"HELM_{k}_HOME": str(Path(home) / k.lower()) for k in ("CACHE", "CONFIG", "DATA")}
        for chart in charts():
            label = f"chart {chart.name} {chart.version}"
            try:
                archive = store / chart.archive
                if not archive.is_file() and fetch_missing:
                    store.mkdir(parents=True, exist_ok=True)
                    fetch(chart, store, helm_env)
                if not archive.is_file():
                    print(f"{label}: not obtainable here ({NOT_HERE}); rendered by the CI workflow job addons-render")
                    continue
                rendered = render(chart, archive, out, helm_env)
                admission(chart, rendered)
                print(f"{label}: {validate(chart, rendered)}", flush=True)
            except RenderError as error:
                print(f"addons-render: {error}", file=sys.stderr, flush=True)
                failed += 1
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    """Command line entry point."""
    fetch_missing = "--fetch" in argv
    rest = [a for a in argv if a != "--fetch"]
    if len(rest) != 1 or rest[0].startswith("-"):
        print("usage: addons-render.py [--fetch] OUT_DIR", file=sys.stderr)
        return 2
    return check(Path(rest[0]), fetch_missing)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
