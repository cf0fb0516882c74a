"""Reads the Argo CD tree (gitops/argocd) and answers what Argo CD would: generated Applications, admission."""

from __future__ import annotations

import fnmatch
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.platform.argocd.appset import REPO_URL, generate

# The tests take the generator and the repository URL from here with the rest of the model.
__all__ = ["REPO_URL", "generate"]

REPO = Path(__file__).resolve().parents[3]
ARGOCD = REPO / "gitops" / "argocd"
IN_CLUSTER = "https://kubernetes.default.svc"
LONG_LIVED = ("dev", "staging", "prod")

Doc = dict[str, Any]


def root_exclude(root: Path = ARGOCD) -> str:
    """The root Application's directory.exclude pattern ('' when none)."""
    for path in sorted(root.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc and doc.get("kind") == "Application" and doc["metadata"]["name"] == "root":
                return str(doc["spec"]["source"].get("directory", {}).get("exclude", ""))
    return ""


def load_tree(root: Path = ARGOCD) -> list[tuple[Path, Doc]]:
    """Every YAML document the root Application syncs (recursively, minus its exclude) with its file.

    Argo CD matches the exclude glob against the path relative to the source directory, `*` crossing `/`,
    which is what fnmatch does.
    """
    exclude = root_exclude(root)
    found: list[tuple[Path, Doc]] = []
    for path in sorted([*root.rglob("*.yaml"), *root.rglob("*.yml")]):
        if exclude and fnmatch.fnmatchcase(str(path.relative_to(root)), exclude):
            continue
        found += [(path, doc) for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    return found


def load_manifests(directory: Path) -> list[Doc]:
    """The YAML documents of a plain Git-directory source (non-recursive, as Argo CD reads it by default)."""
    docs: list[Doc] = []
    for path in sorted(directory.glob("*.yaml")):
        docs += [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    return docs


def of_kind(docs: list[tuple[Path, Doc]], kind: str) -> list[Doc]:
    """The documents of one kind."""
    return [doc for _, doc in docs if doc.get("kind") == kind]


REGISTRATION_ANNOTATIONS = {
    "medqa.io/key-vault-url": "https://kvmedqa{env}weu.vault.azure.net/",
    "medqa.io/eso-client-id": "00000000-0000-0000-0000-0000000000e1",
    "medqa.io/cert-manager-client-id": "00000000-0000-0000-0000-0000000000c1",
    "medqa.io/kyverno-client-id": "00000000-0000-0000-0000-0000000000b1",
    "medqa.io/dns-zone-resource-group": "rg-medqa-shared-weu",
    "medqa.io/dns-zone-subscription-id": "00000000-0000-0000-0000-0000000000f1",
    "medqa.io/ingress-ip-name": "pip-medqa-{env}-weu-ingress",
    "medqa.io/ingress-ip-resource-group": "rg-medqa-{env}-weu",
    "medqa.io/front-door-backend-cidrs": "147.243.0.0/16,2a01:111:2050::/44",
}


def cluster_secret(env: str, server: str = IN_CLUSTER) -> Doc:
    """The cluster registration that ExternalSecret cluster-registration renders for a long-lived environment."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": "cluster-registration",
            "namespace": "argocd",
            "labels": {
                "argocd.argoproj.io/secret-type": "cluster",
                "medqa.io/environment": env,
                "medqa.io/overlay": env,
                "medqa.io/cluster": env,
            },
            "annotations": {k: v.format(env=env) for k, v in REGISTRATION_ANNOTATIONS.items()},
        },
        "type": "Opaque",
        "stringData": {"name": env, "server": server, "config": '{"tlsClientConfig": {"insecure": false}}'},
    }


# The kinds of Pulumi's dedicated clusters (platform/pulumi: label medqa.io/environment of their registration).
DEDICATED_KINDS = ("perf", "dr", "preview")
ADDONS = ("cert-manager", "external-secrets", "ingress-nginx", "kyverno", "kyverno-policies", "managed-prometheus")


def dedicated_secret(name: str, kind: str) -> Doc:
    """The registration Pulumi writes for a dedicated cluster (gitops/clusters/dev/<name>.yaml), in its shape."""
    secret = cluster_secret(kind, server=f"https://aks-medqa-{name}-weu-0a1b2c.hcp.westeurope.azmk8s.io:443")
    secret["metadata"]["name"] = f"cluster-{name}"
    secret["metadata"]["labels"].update({"medqa.io/overlay": name, "medqa.io/cluster": name})
    secret["stringData"]["name"] = name
    return secret


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


def _resolve(dest: Doc, clusters: list[Doc]) -> tuple[str | None, str | None]:
    """The destination's cluster name and server, completed from its registration as Argo CD 3 does.

    Argo CD looks the destination's cluster up and matches the project's destinations against both its name and
    its server, so `server: <API URL>` is admitted by a `name: perf*` destination.
    """
    name, server = dest.get("name"), dest.get("server")
    for secret in clusters:
        data = secret["stringData"]
        if name == data["name"] or server == data["server"]:
            return data["name"], data["server"]
    return name, server


def admission_errors(
    project: Doc, app: Doc, objects: list[Doc], cluster_scoped: set[str], clusters: list[Doc] | None = None
) -> list[str]:
    """Why the project would refuse this Application and the objects it renders ([] when admitted).

    ``clusters``: the registrations Argo CD holds, to resolve the destination (else it is taken literally).
    """
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
        target = Target(*_resolve(dest, clusters or []), namespace)
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


def appsets(docs: list[tuple[Path, Doc]]) -> dict[str, Doc]:
    """The ApplicationSets by name."""
    return {a["metadata"]["name"]: a for a in of_kind(docs, "ApplicationSet")}


def every_application(docs: list[tuple[Path, Doc]], files: dict[str, Doc] | None = None) -> list[Doc]:
    """Committed Applications plus what every ApplicationSet generates for the long-lived registrations."""
    clusters = [cluster_secret(env) for env in LONG_LIVED]
    generated = [app for appset in appsets(docs).values() for app in generate(appset, clusters, files)]
    return of_kind(docs, "Application") + generated
