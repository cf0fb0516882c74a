"""What Argo CD's ApplicationSet controller does with our ApplicationSets: generators and Go templates.

Only the forms gitops/argocd uses are understood (clusters with `values`, git files, a matrix of two;
`.a.b`, `index .metadata.labels|annotations "k"`, `required "msg" (...)`); anything else is an error, so a
new form in the tree fails the tests instead of being guessed at.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Any

REPO_URL = "https://github.com/example-org/medqa.git"

Doc = dict[str, Any]


_EXPR = re.compile(r"{{-?\s*(.*?)\s*-?}}", re.S)
_INDEX = re.compile(r'^index \.metadata\.(labels|annotations) "([^"]+)"$')
_REQUIRED = re.compile(r'^required "([^"]*)" \((index \.metadata\.(?:labels|annotations) "[^"]+")\)$')


def _evaluate(expr: str, params: Doc) -> str:
    """One Go-template action of the forms our ApplicationSets use; anything else is an error."""
    expr = " ".join(expr.split())
    required = _REQUIRED.match(expr)
    if required:
        found = _evaluate(required.group(2), params)
        if not found:
            raise ValueError(f"required: {required.group(1)}")
        return found
    index = _INDEX.match(expr)
    if index:
        # Go's `index` on a map yields "" for a missing key (missingkey=error does not apply to it).
        return str(params["metadata"][index.group(1)].get(index.group(2), ""))
    if expr.startswith(".") and " " not in expr:
        value: Any = params
        for part in expr[1:].split("."):
            value = value[part]  # KeyError: what missingkey=error does
        return str(value)
    raise ValueError(f"template expression not understood by the test renderer: {expr!r}")


def _expand(text: str, params: Doc) -> str:
    """Expand every action in a string."""
    return _EXPR.sub(lambda match: _evaluate(match.group(1), params), text)


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


def _with_values(params: Doc, values: dict[str, str] | None) -> Doc:
    """Add a generator's `values`, each templated with that generator's own parameters (as Argo CD does)."""
    if values:
        params = {**params, "values": {k: _expand(v, params) for k, v in values.items()}}
    return params


def _clusters(generator: Doc, clusters: list[Doc]) -> list[Doc]:
    """Parameters of a clusters generator: one set per selected registration."""
    out = []
    for secret in clusters:
        labels = secret["metadata"].get("labels", {})
        if not _selected(generator.get("selector", {}), labels):
            continue
        params = {
            "name": secret["stringData"]["name"],
            "server": secret["stringData"]["server"],
            "metadata": {"labels": labels, "annotations": secret["metadata"].get("annotations", {})},
        }
        out.append(_with_values(params, generator.get("values")))
    return out


def _git_files(generator: Doc, files: dict[str, Doc]) -> list[Doc]:
    """Parameters of a git files generator: each matching file's keys plus `path` (goTemplate layout)."""
    assert generator["repoURL"] == REPO_URL and generator["revision"] == "main"
    out = []
    for pattern in [f["path"] for f in generator["files"]]:
        for name in sorted(n for n in files if fnmatch.fnmatchcase(n, pattern)):
            directory = Path(name).parent
            path = {"path": str(directory), "basename": directory.name, "filename": Path(name).name}
            out.append(_with_values({**files[name], "path": path}, generator.get("values")))
    return out


def _params(generator: Doc, clusters: list[Doc], files: dict[str, Doc]) -> list[Doc]:
    """Parameters of one generator: clusters, git files, or a matrix of two (the first's keys win)."""
    if "clusters" in generator:
        return _clusters(generator["clusters"], clusters)
    if "git" in generator:
        return _git_files(generator["git"], files)
    first, second = generator["matrix"]["generators"]
    out = []
    for a in _params(first, clusters, files):
        for b in _params(_walk(second, a), clusters, files):
            out.append({**b, **a})
    return out


def generate(appset: Doc, clusters: list[Doc], files: dict[str, Doc] | None = None) -> list[Doc]:
    """The Applications an ApplicationSet creates for these cluster Secrets and repository files.

    ``files`` maps a repository path (gitops/kustomize/overlays/perf/environment.yaml) to its parsed content.
    """
    assert appset["spec"]["goTemplate"] is True
    assert appset["spec"]["goTemplateOptions"] == ["missingkey=error"]
    apps: list[Doc] = []
    for generator in appset["spec"]["generators"]:
        for params in _params(generator, clusters, files or {}):
            template = _walk(appset["spec"]["template"], params)
            apps.append({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", **template})
    return apps
