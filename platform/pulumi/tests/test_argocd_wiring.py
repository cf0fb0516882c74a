"""The GitOps files Pulumi writes meet the merged Argo CD objects: what the ApplicationSets select, projects admit.

Each test runs the real program under mocks (contract.render on the committed examples), then hands its files
to the model of Argo CD in tests/platform/argocd (generators, Go templates, project admission) together with
the registration the dev cluster's ExternalSecret renders.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import contract
import convention
import pytest
import yaml
from components import guardrails
from components.core import CORE_ENVIRONMENT
from pulumi_mocks import CORE_OUTPUTS, SUBSCRIPTION

from tests.platform.argocd.model import (
    ADDONS,
    DEDICATED_KINDS,
    LONG_LIVED,
    admission_errors,
    appsets,
    generate,
    load_tree,
)
from tests.platform.argocd.test_projects import CLUSTER_SCOPED, addon_objects, projects
from tests.platform.argocd.test_secrets import external_secrets, key_vault_json, render_registration

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "gitops"

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def tree() -> list[tuple[Path, Doc]]:
    """Every object the root Application syncs."""
    return load_tree()


def registration(tree: list[tuple[Path, Doc]], env: str) -> Doc:
    """The registration a long-lived cluster's Argo CD holds for itself (ExternalSecret cluster-registration)."""
    template = external_secrets(tree)["cluster-registration"]["spec"]["target"]["template"]
    return render_registration(template, key_vault_json(env))


def files_of(example: str) -> dict[str, str]:
    """The GitOps files envctl would write for a committed example stack."""
    return contract.render(EXAMPLES / example, CORE_OUTPUTS, FIXTURE)["files"]


def parsed(files: dict[str, str], suffix: str) -> dict[str, Doc]:
    """The files whose path ends with ``suffix``, parsed, by repository path."""
    return {path: yaml.safe_load(text) for path, text in files.items() if path.endswith(suffix)}


def one_configmap(namespace: str) -> list[Doc]:
    """An object of an admitted kind in ``namespace``, to check an Application's destination."""
    return [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": namespace}}]


def by_name(apps: list[Doc]) -> dict[str, Doc]:
    """Applications by name."""
    return {app["metadata"]["name"]: app for app in apps}


def test_shared_cluster_environment_is_deployed_by_the_dev_argocd_only(tree: list[tuple[Path, Doc]]) -> None:
    """environment.yaml names the dev registration's medqa.io/cluster, so dev's Argo CD (alone) deploys pr-123."""
    environment = parsed(files_of("Pulumi.pr-123.yaml"), "/environment.yaml")
    medqa = appsets(tree)["medqa"]
    on_dev = by_name(generate(medqa, [registration(tree, CORE_ENVIRONMENT)], environment))
    assert on_dev["medqa-pr-123"]["spec"]["destination"] == {"name": "dev", "namespace": "medqa-pr-123"}
    assert admission_errors(projects(tree)["medqa"], on_dev["medqa-pr-123"], one_configmap("medqa-pr-123"), set()) == []
    for other in ("staging", "prod"):
        assert list(by_name(generate(medqa, [registration(tree, other)], environment))) == [f"medqa-{other}"]


def test_dedicated_registration_is_held_by_the_dev_argocd_only(tree: list[tuple[Path, Doc]]) -> None:
    """gitops/clusters/dev/perf.yaml: outside the tree every root syncs, applied by dev's medqa-clusters only."""
    secrets = parsed(files_of("Pulumi.perf.yaml"), "/perf.yaml")
    (path,) = [p for p in secrets if secrets[p].get("kind") == "Secret"]
    assert not path.startswith("gitops/argocd/")
    clusters = appsets(tree)["medqa-clusters"]
    (app,) = generate(clusters, [registration(tree, CORE_ENVIRONMENT)], secrets)
    assert app["metadata"]["name"] == "cluster-perf"
    assert app["spec"]["source"]["path"] == str(Path(path).parent)
    assert app["spec"]["source"]["directory"] == {"include": "perf.yaml"}
    assert admission_errors(projects(tree)["bootstrap"], app, [secrets[path]], CLUSTER_SCOPED) == []
    for other in ("staging", "prod"):
        assert generate(clusters, [registration(tree, other)], secrets) == []


def test_dedicated_environment_is_deployed_to_its_own_cluster_from_dev(tree: list[tuple[Path, Doc]]) -> None:
    """The registration's medqa.io/cluster matches environment.yaml's `cluster`; the project admits medqa there."""
    files = files_of("Pulumi.perf.yaml")
    secret = yaml.safe_load(files["gitops/clusters/dev/perf.yaml"])
    registrations = [registration(tree, CORE_ENVIRONMENT), secret]
    apps = by_name(generate(appsets(tree)["medqa"], registrations, parsed(files, "/environment.yaml")))
    assert sorted(apps) == ["medqa-dev", "medqa-perf"]
    perf = apps["medqa-perf"]
    assert perf["spec"]["destination"] == {"name": "perf", "namespace": "medqa"}
    project = projects(tree)["medqa"]
    assert admission_errors(project, perf, one_configmap("medqa"), set()) == []
    assert admission_errors(project, perf, one_configmap("medqa-perf"), set())
    # Prod's sync window stays on prod alone.
    assert [w["applications"] for w in project["spec"]["syncWindows"]] == [["medqa-prod"]]


def required_annotations(tree: list[tuple[Path, Doc]]) -> set[str]:
    """Every registration annotation an ApplicationSet reads with `required`."""
    text = yaml.safe_dump([appset["spec"]["generators"] for appset in appsets(tree).values()])
    return set(re.findall(r'required "([^"]+)"', text))


def test_dedicated_registration_carries_what_the_addons_require(tree: list[tuple[Path, Doc]]) -> None:
    """Each `required` annotation of the add-ons is on the registration, non-empty; Front Door's from dev's root."""
    secret = yaml.safe_load(files_of("Pulumi.perf.yaml")["gitops/clusters/dev/perf.yaml"])
    annotations = secret["metadata"]["annotations"]
    assert required_annotations(tree) <= set(annotations)
    assert all(annotations.values())
    assert annotations["medqa.io/front-door-backend-cidrs"] == CORE_OUTPUTS["front_door_backend_cidrs"]
    assert annotations["medqa.io/dns-zone-resource-group"] == CORE_OUTPUTS["dns_zone_resource_group_name"]
    assert annotations["medqa.io/dns-zone-subscription-id"] == SUBSCRIPTION
    assert annotations["medqa.io/key-vault-url"] == "https://kvmedqaperfsec.vault.azure.net/"


@pytest.mark.parametrize("environment", sorted(guardrails.DEDICATED_NAME_PREFIXES))
def test_dedicated_cluster_names_are_admitted_and_long_lived_ones_are_not(
    tree: list[tuple[Path, Doc]], environment: str
) -> None:
    """Every name prefix Pulumi allows for a dedicated cluster is a medqa destination for namespace medqa."""
    project = projects(tree)["medqa"]
    app = by_name(generate(appsets(tree)["medqa"], [registration(tree, "dev")]))["medqa-dev"]
    for prefix in guardrails.DEDICATED_NAME_PREFIXES[environment]:
        placed = copy.deepcopy(app)
        placed["spec"]["destination"]["name"] = f"{prefix}7"
        assert admission_errors(project, placed, one_configmap("medqa"), set()) == [], prefix
    stranger = copy.deepcopy(app)
    stranger["spec"]["destination"]["name"] = "qa-1"
    assert admission_errors(project, stranger, one_configmap("medqa"), set())
    prefixes = tuple(p for ps in guardrails.DEDICATED_NAME_PREFIXES.values() for p in ps)
    assert not [name for name in LONG_LIVED if name.startswith(prefixes)]


def test_core_mocks_are_the_shared_roots_resources() -> None:
    """The mocked dev outputs name the zone's group and the registry that environments/shared really makes."""
    shared = convention.Naming("shared", "westeurope")
    group, registry = shared.name("resource_group"), shared.name("container_registry")
    assert CORE_OUTPUTS["dns_zone_resource_group_name"] == group
    assert CORE_OUTPUTS["container_registry_id"] == (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}/providers/Microsoft.ContainerRegistry/registries/{registry}"
    )
    assert CORE_OUTPUTS["acr_login_server"] == f"{registry}.azurecr.io"


@pytest.mark.parametrize("example", ["Pulumi.perf.yaml"])
def test_dedicated_cluster_gets_every_addon_from_dev(tree: list[tuple[Path, Doc]], example: str) -> None:
    """Pulumi's perf registration in dev's Argo CD: each add-on generates perf's own Application, admitted there."""
    secret = yaml.safe_load(files_of(example)["gitops/clusters/dev/perf.yaml"])
    registrations = [registration(tree, CORE_ENVIRONMENT), secret]
    apps = by_name([app for name in ADDONS for app in generate(appsets(tree)[name], registrations)])
    assert sorted(apps) == sorted([*ADDONS, *(f"{addon}-perf" for addon in ADDONS)])
    project = projects(tree)["platform-addons"]
    for addon in ADDONS:
        app = apps[f"{addon}-perf"]
        assert app["spec"]["destination"]["server"] == secret["stringData"]["server"]
        assert admission_errors(project, app, addon_objects(app), CLUSTER_SCOPED, registrations) == [], addon
    config = apps["ingress-nginx-perf"]["spec"]["source"]["helm"]["valuesObject"]["controller"]["config"]
    assert config["proxy-real-ip-cidr"] == CORE_OUTPUTS["front_door_backend_cidrs"]


def test_addons_select_every_kind_a_dedicated_cluster_may_have() -> None:
    """The dedicated generators' kinds (perf, dr, preview) are exactly those Pulumi may make dedicated."""
    dedicated = {kind for kind, shapes in guardrails.ALLOWED_SHAPES.items() if "dedicated" in shapes}
    assert dedicated == set(DEDICATED_KINDS)
    assert set(guardrails.DEDICATED_NAME_PREFIXES) == dedicated
