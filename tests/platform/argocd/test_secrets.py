"""Argo CD's own Secrets come from Key Vault through ESO, and carry what the ApplicationSets read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.platform.argocd.model import (
    IN_CLUSTER,
    REGISTRATION_ANNOTATIONS,
    Doc,
    appsets,
    cluster_secret,
    generate,
    of_kind,
)

# The JSON keys of Key Vault secret `argocd-cluster-registration` (written by Terraform).
REGISTRATION_KEYS = {
    "environment", "overlay", "key_vault_url", "eso_client_id", "cert_manager_client_id", "kyverno_client_id",
    "dns_zone_resource_group", "dns_zone_subscription_id", "ingress_ip_name", "ingress_ip_resource_group",
    "front_door_backend_cidrs",
}  # fmt: skip
_VARIABLE = re.compile(r"{{ \.([a-z_]+) }}")
_REQUIRED = re.compile(r'required "([^"]+)"')


def external_secrets(tree: list[tuple[Path, Doc]]) -> dict[str, Doc]:
    """The ExternalSecrets under gitops/argocd by name."""
    return {e["metadata"]["name"]: e for e in of_kind(tree, "ExternalSecret")}


def render_registration(template: Doc, data: dict[str, str]) -> Doc:
    """What ESO writes from the template for this Key Vault JSON (only `{{ .key }}` actions are used)."""

    def fill(node: object) -> object:
        if isinstance(node, dict):
            return {k: fill(v) for k, v in node.items()}
        if isinstance(node, str):
            return _VARIABLE.sub(lambda m: data[m.group(1)], node)
        return node

    return {"metadata": fill(template["metadata"]), "stringData": fill(template["data"])}


def key_vault_json(env: str) -> dict[str, str]:
    """The registration JSON Terraform writes for an environment (the test registration's values)."""
    data = {"environment": env, "overlay": env}
    for annotation, value in REGISTRATION_ANNOTATIONS.items():
        data[annotation.removeprefix("medqa.io/").replace("-", "_")] = value.format(env=env)
    return data


def test_registration_is_rendered_from_the_key_vault_json(tree: list[tuple[Path, Doc]]) -> None:
    """The ExternalSecret writes exactly the registration the ApplicationSet tests assume (model.cluster_secret)."""
    spec = external_secrets(tree)["cluster-registration"]["spec"]
    assert spec["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "platform-keyvault"}
    assert spec["dataFrom"] == [{"extract": {"key": "argocd-cluster-registration"}}]
    assert spec["target"]["creationPolicy"] == "Orphan" and spec["target"]["deletionPolicy"] == "Retain"
    template = spec["target"]["template"]
    used = set(_VARIABLE.findall(yaml.safe_dump(template)))
    assert used == REGISTRATION_KEYS
    for env in ("dev", "staging", "prod"):
        rendered = render_registration(template, key_vault_json(env))
        expected = cluster_secret(env)
        assert rendered["metadata"]["labels"] == expected["metadata"]["labels"], env
        assert rendered["metadata"]["annotations"] == expected["metadata"]["annotations"], env
        assert rendered["stringData"] == expected["stringData"], env
        assert rendered["stringData"]["server"] == IN_CLUSTER


def test_registration_carries_every_annotation_an_applicationset_requires(tree: list[tuple[Path, Doc]]) -> None:
    """Each `required` annotation of an add-on ApplicationSet is written by the ExternalSecret, and no other."""
    wanted = set()
    for appset in appsets(tree).values():
        for generator in appset["spec"]["generators"]:
            wanted |= set(_REQUIRED.findall(str(generator.get("clusters", {}).get("values", {}))))
    template = external_secrets(tree)["cluster-registration"]["spec"]["target"]["template"]
    assert set(template["metadata"]["annotations"]) == wanted == set(REGISTRATION_ANNOTATIONS)


def test_a_registration_without_an_annotation_generates_no_addon(tree: list[tuple[Path, Doc]]) -> None:
    """An empty or missing per-cluster value fails the generation instead of installing a blank client id."""
    for name in ("external-secrets", "cert-manager", "ingress-nginx", "kyverno"):
        secret = cluster_secret("dev")
        secret["metadata"]["annotations"] = {}
        with pytest.raises(ValueError, match=r"required: medqa\.io/"):
            generate(appsets(tree)[name], [secret])


def test_notifications_secret_provides_every_key_the_configmap_names(tree: list[tuple[Path, Doc]]) -> None:
    """argocd-notifications-secret comes from Key Vault with each $key that argocd-notifications-cm uses."""
    spec = external_secrets(tree)["argocd-notifications-secret"]["spec"]
    assert spec["target"]["name"] == "argocd-notifications-secret"
    assert spec["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "platform-keyvault"}
    provided = {d["secretKey"] for d in spec["data"]}
    (cm,) = of_kind(tree, "ConfigMap")
    referenced = {m for value in cm["data"].values() for m in re.findall(r"\$([a-z][a-z0-9-]*)", value)}
    assert referenced and referenced <= provided
    assert [d["remoteRef"]["key"] for d in spec["data"]] == ["argocd-oncall-webhook-url"]


def wave(doc: Doc) -> int:
    """An object's Argo CD sync wave (0 when unset)."""
    return int(doc["metadata"].get("annotations", {}).get("argocd.argoproj.io/sync-wave", "0"))


def test_sync_waves_put_the_operator_and_its_store_before_the_secrets(tree: list[tuple[Path, Doc]]) -> None:
    """Projects (-2), then the ESO add-on (-1), then the ExternalSecrets (1); the store after the CRDs (1)."""
    projects = of_kind(tree, "AppProject")
    eso = appsets(tree)["external-secrets"]
    assert max(wave(p) for p in projects) < wave(eso) < min(wave(e) for e in of_kind(tree, "ExternalSecret"))
    (app,) = generate(eso, [cluster_secret("dev")])
    (store,) = app["spec"]["source"]["helm"]["valuesObject"]["extraObjects"]
    assert wave(store) > 0
    for secret in of_kind(tree, "ExternalSecret"):
        options = secret["metadata"]["annotations"]["argocd.argoproj.io/sync-options"]
        assert "SkipDryRunOnMissingResource=true" in options, secret["metadata"]["name"]
