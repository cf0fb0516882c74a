"""The AppProjects admit every Application we define, and nothing more than it needs."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from tests.platform.argocd.model import (
    IN_CLUSTER,
    LONG_LIVED,
    REPO,
    REPO_URL,
    Doc,
    admission_errors,
    appsets,
    cluster_secret,
    every_application,
    generate,
    group_of,
    kustomize_build,
    load_manifests,
    of_kind,
)

CLUSTER_SCOPED = {
    "Namespace",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleBinding",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "IngressClass",
    "ClusterIssuer",
    "ClusterSecretStore",
    "ClusterPolicy",
}
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def projects(tree: list[tuple[Path, Doc]]) -> dict[str, Doc]:
    """AppProjects by name."""
    return {p["metadata"]["name"]: p for p in of_kind(tree, "AppProject")}


def medqa_apps(tree: list[tuple[Path, Doc]]) -> list[Doc]:
    """The Applications the ApplicationSet generates for dev, staging and prod."""
    return generate(appsets(tree)["medqa"], [cluster_secret(e) for e in LONG_LIVED])


@pytest.fixture(scope="module")
def rendered(kustomize: Path) -> dict[str, list[Doc]]:
    """Each long-lived overlay, rendered."""
    return {e: kustomize_build(kustomize, REPO / "gitops" / "kustomize" / "overlays" / e) for e in LONG_LIVED}


def kinds(objects: list[Doc], cluster: bool) -> set[tuple[str, str]]:
    """(group, kind) pairs of the cluster-scoped or the namespaced objects."""
    return {(group_of(o), o["kind"]) for o in objects if (o["kind"] in CLUSTER_SCOPED) == cluster}


def listed(entries: list[Doc]) -> set[tuple[str, str]]:
    """(group, kind) pairs of a project whitelist."""
    return {(e["group"], e["kind"]) for e in entries}


def test_no_application_uses_the_default_project(tree: list[tuple[Path, Doc]]) -> None:
    """Every Application names an AppProject that exists here, never `default`."""
    names = projects(tree)
    for app in every_application(tree):
        assert app["spec"]["project"] != "default"
        assert app["spec"]["project"] in names, app["metadata"]["name"]


def test_medqa_project_admits_every_environment(tree: list[tuple[Path, Doc]], rendered: dict[str, list[Doc]]) -> None:
    """Each generated Application and every object its overlay renders is admitted by `medqa`."""
    project = projects(tree)["medqa"]
    for app in medqa_apps(tree):
        env = app["metadata"]["labels"]["medqa.io/environment"]
        assert admission_errors(project, app, rendered[env], CLUSTER_SCOPED) == [], env


def test_medqa_project_allows_nothing_the_overlays_do_not_render(
    tree: list[tuple[Path, Doc]], rendered: dict[str, list[Doc]]
) -> None:
    """Whitelists equal the rendered kinds; sources are this repository; destinations are the three targets."""
    spec = projects(tree)["medqa"]["spec"]
    everything = [o for objects in rendered.values() for o in objects]
    assert listed(spec["clusterResourceWhitelist"]) == kinds(everything, cluster=True)
    assert listed(spec["namespaceResourceWhitelist"]) == kinds(everything, cluster=False)
    assert spec["sourceRepos"] == [REPO_URL]
    # The long-lived namespace and the Pulumi environments' medqa-<name> on each long-lived cluster, and the
    # namespace medqa on Pulumi's dedicated clusters (named after their kind).
    targets = [{"name": env, "namespace": ns} for env in LONG_LIVED for ns in ("medqa", "medqa-*")]
    targets += [{"name": p, "namespace": "medqa"} for p in ("pr-*", "preview*", "perf*", "dr*")]
    assert sorted(spec["destinations"], key=str) == sorted(targets, key=str)


def addon_objects(app: Doc) -> list[Doc]:
    """What an add-on Application deploys that is known here: extraObjects, or its Git directory's manifests."""
    source = app["spec"]["source"]
    if "chart" not in source:
        return load_manifests(REPO / source["path"])
    extra = source["helm"]["valuesObject"].get("extraObjects", [])
    return [yaml.safe_load(o) if isinstance(o, str) else o for o in extra]


def test_addons_project_admits_each_addon_and_only_their_repositories(tree: list[tuple[Path, Doc]]) -> None:
    """The add-on Applications (the dev cluster's) are admitted; sourceRepos are exactly their sources."""
    project = projects(tree)["platform-addons"]
    dev = [cluster_secret("dev")]
    generated = [a for s in appsets(tree).values() for a in generate(s, dev) if s["metadata"]["name"] != "medqa"]
    addons = [a for a in of_kind(tree, "Application") + generated if a["spec"]["project"] == "platform-addons"]
    assert sorted(a["metadata"]["name"] for a in addons) == [
        "cert-manager", "external-secrets", "ingress-nginx", "kyverno", "kyverno-policies", "managed-prometheus",
    ]  # fmt: skip
    for app in addons:
        assert admission_errors(project, app, addon_objects(app), CLUSTER_SCOPED) == [], app["metadata"]["name"]
        assert app["spec"]["destination"]["server"] == IN_CLUSTER
    assert sorted(project["spec"]["sourceRepos"]) == sorted({a["spec"]["source"]["repoURL"] for a in addons})
    assert "namespaceResourceWhitelist" not in project["spec"] or project["spec"]["namespaceResourceWhitelist"]


def test_bootstrap_project_admits_exactly_the_tree(tree: list[tuple[Path, Doc]]) -> None:
    """The root Application's project allows the kinds under gitops/argocd and nothing cluster-scoped."""
    project = projects(tree)["bootstrap"]
    (root,) = [a for a in of_kind(tree, "Application") if a["metadata"]["name"] == "root"]
    objects = [doc for _, doc in tree]
    assert admission_errors(project, root, objects, CLUSTER_SCOPED) == []
    assert project["spec"]["clusterResourceWhitelist"] == []
    # Pulumi-written registrations (clusters/) may be absent; every other listed kind is in the tree.
    in_tree = kinds(objects, cluster=False) | {("", "Secret")}
    assert listed(project["spec"]["namespaceResourceWhitelist"]) == in_tree


def test_prod_syncs_automatically_only_inside_its_window(tree: list[tuple[Path, Doc]]) -> None:
    """One allow window, naming medqa-prod, with manual syncs allowed for on-call; dev and staging have none."""
    windows = projects(tree)["medqa"]["spec"]["syncWindows"]
    assert len(windows) == 1
    (window,) = windows
    assert window["kind"] == "allow" and window["manualSync"] is True
    assert window["applications"] == ["medqa-prod"]
    assert {a["metadata"]["name"] for a in medqa_apps(tree)} >= {"medqa-prod"}
    assert window["timeZone"] and window["duration"].endswith("h")


def test_roles_bind_entra_groups_to_least_privilege(tree: list[tuple[Path, Doc]]) -> None:
    """on-call may get, sync and read logs; viewers may only get; groups are Entra object IDs."""
    for name, project in projects(tree).items():
        for role in project["spec"].get("roles", []):
            assert role["groups"] and all(GUID.match(g) for g in role["groups"]), (name, role["name"])
            actions = set()
            for policy in role["policies"]:
                parts = [p.strip() for p in policy.split(",")]
                assert parts[0] == "p" and parts[1] == f"proj:{name}:{role['name']}", policy
                assert parts[4].startswith(f"{name}/") and parts[5] == "allow", policy
                actions.add((parts[2], parts[3]))
            if role["name"] == "oncall":
                assert {("applications", "sync"), ("logs", "get")} <= actions
            else:
                assert actions == {("applications", "get")}, (name, role["name"])
            assert not any(a in {"delete", "update", "override", "*"} for _, a in actions)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda a, o: a["spec"]["source"].update(repoURL="https://github.com/someone/else.git"), "sourceRepos"),
        (lambda a, o: a["spec"]["destination"].update(name="someone-elses-cluster"), "destination"),
        (lambda a, o: o.append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}}), "Whitelist"),
        (
            lambda a, o: o.append(
                {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "x"}}
            ),
            "clusterResourceWhitelist",
        ),
        (
            lambda a, o: o.append(
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "kube-system"}}
            ),
            "destination",
        ),
    ],
)
def test_admission_check_refuses_what_the_project_does_not_allow(
    tree: list[tuple[Path, Doc]], rendered: dict[str, list[Doc]], mutate: object, expected: str
) -> None:
    """A foreign repository, cluster, kind or namespace is refused: the admission checks above can fail."""
    project = projects(tree)["medqa"]
    app = copy.deepcopy(medqa_apps(tree)[0])
    objects = copy.deepcopy(rendered[app["metadata"]["labels"]["medqa.io/environment"]])
    assert callable(mutate)
    mutate(app, objects)
    errors = admission_errors(project, app, objects, CLUSTER_SCOPED)
    assert any(expected in e for e in errors), errors
