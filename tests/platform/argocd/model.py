"""Reads the Argo CD tree (gitops/argocd) and answers what Argo CD would: generated Applications, admission."""

from __future__ import annotations

import fnmatch
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[3]
ARGOCD = REPO / "gitops" / "argocd"
REPO_URL = "https://github.com/example-org/medqa.git"
IN_CLUSTER = "https://kubernetes.default.svc"
LONG_LIVED = ("dev", "staging", "prod")

Doc = dict[str, Any]


def load_tree(root: Path = ARGOCD) -> list[tuple[Path, Doc]]:
    """Every YAML document under ``root`` (recursively, as the root Application reads it) with its file."""
    found: list[tuple[Path, Doc]] = []
    for path in sorted([*root.rglob("*.yaml"), *root.rglob("*.yml")]):
        found += [(path, doc) for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    return found


def of_kind(docs: list[tuple[Path, Doc]], kind: str) -> list[Doc]:
    """The documents of one kind."""
    return [doc for _, doc in docs if doc.get("kind") == kind]


def cluster_secret(env: str, server: str = IN_CLUSTER) -> Doc:
    """The cluster registration that bootstrap creates for a long-lived environment (gitops/README.md)."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": f"cluster-{env}",
            "namespace": "argocd",
            "labels": {
                "argocd.argoproj.io/secret-type": "cluster",
                "medqa.io/environment": env,
                "medqa.io/overlay": env,
            },
        },
        "type": "Opaque",
        "stringData": {"name": env, "server": server, "config": '{"tlsClientConfig": {"insecure": false}}'},
    }


_EXPR = re.compile(r"{{-?\s*(.*?)\s*-?}}")
_INDEX = re.compile(r'^index \.metadata\.labels "([^"]+)"$')


def _expand(text: str, params: Doc) -> str:
    """Expand the two Go-template forms our ApplicationSet uses; anything else is an error (missingkey=error)."""

    def one(match: re.Match[str]) -> str:
        expr = match.group(1)
        index = _INDEX.match(expr)
        if index:
            return str(params["metadata"]["labels"][index.group(1)])
        if expr.startswith(".") and " " not in expr:
            value: Any = params
            for part in expr[1:].split("."):
                value = value[part]
            return str(value)
        raise ValueError(f"template expression not understood by the test renderer: {expr!r}")

    return _EXPR.sub(one, text)


def _walk(node: Any, params: Doc) -> Any:
    if isinstance(node, dict):
        return {_expand(k, params): _walk(v, params) for k, v in node.items()}
    if isinstance(node, list):
        return [_walk(v, params) for v in node]
    if isinstance(node, str):
        return _expand(node, params)
    return node


def _selected(selector: Doc, labels: dict[str, str]) -> bool:
    """Kubernetes label-selector semantics (matchLabels + In/NotIn/Exists/DoesNotExist)."""
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        ok = {
            "In": key in labels and labels[key] in values,
            "NotIn": labels.get(key) not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[op]
        if not ok:
            return False
    return True


def generate(appset: Doc, clusters: list[Doc]) -> list[Doc]:
    """The Applications an ApplicationSet with a clusters generator creates for these cluster Secrets."""
    assert appset["spec"]["goTemplate"] is True
    apps: list[Doc] = []
    for generator in appset["spec"]["generators"]:
        selector = generator["clusters"].get("selector", {})
        for secret in clusters:
            labels = secret["metadata"].get("labels", {})
            if not _selected(selector, labels):
                continue
            params = {
                "name": secret["stringData"]["name"],
                "server": secret["stringData"]["server"],
                "metadata": {"labels": labels, "annotations": secret["metadata"].get("annotations", {})},
            }
            template = _walk(appset["spec"]["template"], params)
            apps.append({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", **template})
    return apps


@dataclass(frozen=True)
class Target:
    """Where an Application deploys: cluster (by name or server) and namespace."""

    name: str | None
    server: str | None
    namespace: str


def _allowed_destination(project: Doc, target: Target) -> bool:
    for dest in project["spec"].get("destinations", []):
        if not fnmatch.fnmatchcase(target.namespace, dest.get("namespace", "")):
            continue
        if "name" in dest and target.name is not None and fnmatch.fnmatchcase(target.name, dest["name"]):
            return True
        if "server" in dest and target.server is not None and fnmatch.fnmatchcase(target.server, dest["server"]):
            return True
    return False


def _kind_listed(entries: list[Doc], group: str, kind: str) -> bool:
    return any(
        fnmatch.fnmatchcase(group, e.get("group", "")) and fnmatch.fnmatchcase(kind, e.get("kind", "")) for e in entries
    )


def group_of(obj: Doc) -> str:
    """The API group of an object ('' for the core group)."""
    api = str(obj["apiVersion"])
    return api.split("/", maxsplit=1)[0] if "/" in api else ""


def admission_errors(project: Doc, app: Doc, objects: list[Doc], cluster_scoped: set[str]) -> list[str]:
    """Why the project would refuse this Application and the objects it renders ([] when admitted)."""
    errors: list[str] = []
    spec = app["spec"]
    if spec["project"] != project["metadata"]["name"]:
        errors.append(f"{app['metadata']['name']}: project {spec['project']} is not {project['metadata']['name']}")
    sources = spec.get("sources") or [spec["source"]]
    for source in sources:
        if not any(fnmatch.fnmatchcase(source["repoURL"], r) for r in project["spec"].get("sourceRepos", [])):
            errors.append(f"{app['metadata']['name']}: source {source['repoURL']} not in sourceRepos")
    dest = spec["destination"]
    default_ns = dest.get("namespace", "")
    for obj in objects:
        group, kind = group_of(obj), obj["kind"]
        if kind in cluster_scoped:
            if not _kind_listed(project["spec"].get("clusterResourceWhitelist", []), group, kind):
                errors.append(f"cluster-scoped {group}/{kind} not in clusterResourceWhitelist")
            continue
        namespace = obj.get("metadata", {}).get("namespace") or default_ns
        target = Target(dest.get("name"), dest.get("server"), namespace)
        if not _allowed_destination(project, target):
            errors.append(f"{kind}/{obj['metadata']['name']}: destination {target} not allowed")
        whitelist = project["spec"].get("namespaceResourceWhitelist")
        if whitelist is not None and not _kind_listed(whitelist, group, kind):
            errors.append(f"{group}/{kind} not in namespaceResourceWhitelist")
    return errors


def kustomize_build(kustomize: Path, path: Path) -> list[Doc]:
    """Render a Kustomize directory with the pinned kustomize; fail loudly on any error."""
    done = subprocess.run([str(kustomize), "build", str(path)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"kustomize build {path} failed: {done.stderr}")
    return [d for d in yaml.safe_load_all(done.stdout) if d]
