"""Pulumi's dedicated clusters get every add-on from the dev Argo CD, under names of their own, admitted narrowly."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from tests.platform.argocd.model import (
    ADDONS,
    DEDICATED_KINDS,
    LONG_LIVED,
    Doc,
    admission_errors,
    appsets,
    cluster_secret,
    dedicated_secret,
    generate,
)
from tests.platform.argocd.test_projects import CLUSTER_SCOPED, addon_objects, projects

# One cluster per name pattern the medqa AppProject admits, with the kind platform/pulumi gives it.
DEDICATED = {"perf": "perf", "dr": "dr", "pr-42": "preview", "preview-ui": "preview"}


def addons_on(tree: list[tuple[Path, Doc]], registrations: list[Doc]) -> list[Doc]:
    """The add-on Applications an Argo CD holding these registrations creates."""
    return [app for name in ADDONS for app in generate(appsets(tree)[name], registrations)]


@pytest.mark.parametrize(("name", "kind"), sorted(DEDICATED.items()))
def test_every_addon_reaches_a_dedicated_cluster_and_is_admitted(
    tree: list[tuple[Path, Doc]], name: str, kind: str
) -> None:
    """Dev's Argo CD with a dedicated registration: one Application per add-on there, its server, admitted."""
    dedicated = dedicated_secret(name, kind)
    registrations = [cluster_secret("dev"), dedicated]
    apps = [
        a
        for a in addons_on(tree, registrations)
        if a["spec"]["destination"]["server"] != cluster_secret("dev")["stringData"]["server"]
    ]
    assert sorted(a["metadata"]["name"] for a in apps) == sorted(f"{addon}-{name}" for addon in ADDONS)
    project = projects(tree)["platform-addons"]
    for app in apps:
        assert app["spec"]["destination"]["server"] == dedicated["stringData"]["server"]
        objects = addon_objects(app)
        assert admission_errors(project, app, objects, CLUSTER_SCOPED, registrations) == [], app["metadata"]["name"]


def test_long_lived_addon_names_stay_and_never_collide_with_dedicated_ones(tree: list[tuple[Path, Doc]]) -> None:
    """Dev alone keeps the add-ons' own names; with two dedicated clusters every Application name is distinct."""
    assert sorted(a["metadata"]["name"] for a in addons_on(tree, [cluster_secret("dev")])) == sorted(ADDONS)
    everyone = [cluster_secret("dev"), *(dedicated_secret(n, k) for n, k in DEDICATED.items())]
    names = [a["metadata"]["name"] for a in addons_on(tree, everyone)]
    assert len(names) == len(set(names)) == len(ADDONS) * len(everyone)
    for env in LONG_LIVED:
        assert {a["spec"]["destination"]["server"] for a in addons_on(tree, [cluster_secret(env)])} == {
            cluster_secret(env)["stringData"]["server"]
        }


@pytest.mark.parametrize("addon", ADDONS)
def test_both_generators_read_the_same_values(tree: list[tuple[Path, Doc]], addon: str) -> None:
    """Long-lived and dedicated generators differ only in whom they select and the Application's name."""
    generators = copy.deepcopy(appsets(tree)[addon]["spec"]["generators"])
    long_lived, dedicated = (g["clusters"] for g in generators)
    assert long_lived["selector"]["matchExpressions"][0]["values"] == list(LONG_LIVED)
    assert dedicated["selector"]["matchExpressions"][0]["values"] == list(DEDICATED_KINDS)
    assert long_lived["values"].pop("application") == addon
    assert dedicated["values"].pop("application") == f"{addon}-{{{{ .name }}}}"
    assert long_lived["values"] == dedicated["values"]


def test_the_addons_project_admits_dedicated_clusters_narrowly(tree: list[tuple[Path, Doc]]) -> None:
    """Only the add-on namespaces, only on the cluster names Pulumi may use; no other cluster or namespace."""
    project = projects(tree)["platform-addons"]
    registrations = [cluster_secret("dev"), dedicated_secret("perf", "perf")]
    (app,) = [a for a in addons_on(tree, registrations) if a["metadata"]["name"] == "kyverno-perf"]
    config = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "kyverno"}}]
    assert admission_errors(project, app, config, CLUSTER_SCOPED, registrations) == []
    for namespace in ("medqa", "default", "argocd"):
        elsewhere = copy.deepcopy(config)
        elsewhere[0]["metadata"]["namespace"] = namespace
        assert admission_errors(project, app, elsewhere, CLUSTER_SCOPED, registrations), namespace
    stranger = dedicated_secret("qa-1", "perf")
    moved = copy.deepcopy(app)
    moved["spec"]["destination"]["server"] = stranger["stringData"]["server"]
    assert admission_errors(project, moved, config, CLUSTER_SCOPED, [cluster_secret("dev"), stranger])
