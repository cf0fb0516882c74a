"""The add-ons do what the platform contract says: DNS-01, Front Door's client address, ESO, Kyverno, scraping."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from app.access.auth import client_identity
from tests.platform.argocd.model import (
    ARGOCD,
    REGISTRATION_ANNOTATIONS,
    Doc,
    appsets,
    cluster_secret,
    every_application,
    generate,
    load_manifests,
)

POD_CIDR = "192.168.0.0/16"  # docs/platform-contract.md: MEDQA_TRUSTED_PROXIES
FRONT_DOOR_EDGE = "147.243.10.20"  # inside the test registration's Front Door backend range
INGRESS_POD = "192.168.7.9"


def addon(tree: list[tuple[Path, Doc]], name: str, env: str = "dev") -> Doc:
    """The Application an add-on ApplicationSet generates for one registration."""
    (app,) = generate(appsets(tree)[name], [cluster_secret(env)])
    return app


def values(app: Doc) -> Doc:
    """The Helm values of an add-on Application."""
    result: Doc = app["spec"]["source"]["helm"]["valuesObject"]
    return result


def extra(app: Doc, kind: str) -> Doc:
    """The one extraObject of a kind."""
    objects: list[Doc] = [yaml.safe_load(o) if isinstance(o, str) else o for o in values(app)["extraObjects"]]
    (found,) = [o for o in objects if o["kind"] == kind]
    return found


def annotation(env: str, key: str) -> str:
    """The value the test registration of an environment carries."""
    return REGISTRATION_ANNOTATIONS[key].format(env=env)


def test_cluster_issuer_solves_dns01_on_the_zone_through_workload_identity(tree: list[tuple[Path, Doc]]) -> None:
    """No HTTP-01 solver (it needs a solver pod the default deny blocks); DNS-01 on medqa.example.com."""
    app = addon(tree, "cert-manager", "staging")
    (solver,) = extra(app, "ClusterIssuer")["spec"]["acme"]["solvers"]
    assert "http01" not in solver
    azure = solver["dns01"]["azureDNS"]
    assert azure["hostedZoneName"] == "medqa.example.com"
    assert azure["resourceGroupName"] == annotation("staging", "medqa.io/dns-zone-resource-group")
    assert azure["subscriptionID"] == annotation("staging", "medqa.io/dns-zone-subscription-id")
    client_id = annotation("staging", "medqa.io/cert-manager-client-id")
    assert azure["managedIdentity"] == {"clientID": client_id}
    assert values(app)["serviceAccount"]["annotations"] == {"azure.workload.identity/client-id": client_id}
    assert values(app)["podLabels"] == {"azure.workload.identity/use": "true"}


def test_external_secrets_signs_in_as_its_own_identity_to_the_environment_vault(tree: list[tuple[Path, Doc]]) -> None:
    """ServiceAccount external-secrets carries the -eso client id, pods the use label; the store is argocd-only."""
    app = addon(tree, "external-secrets", "prod")
    account = values(app)["serviceAccount"]
    assert account["name"] == "external-secrets"
    assert account["annotations"] == {"azure.workload.identity/client-id": annotation("prod", "medqa.io/eso-client-id")}
    assert values(app)["podLabels"] == {"azure.workload.identity/use": "true"}
    store = extra(app, "ClusterSecretStore")
    assert store["metadata"]["name"] == "platform-keyvault"
    azurekv = store["spec"]["provider"]["azurekv"]
    assert azurekv["authType"] == "WorkloadIdentity"
    assert azurekv["vaultUrl"] == "https://kvmedqaprodweu.vault.azure.net/"
    assert azurekv["serviceAccountRef"] == {"name": "external-secrets", "namespace": "external-secrets"}
    assert store["spec"]["conditions"] == [{"namespaces": ["argocd"]}]


def test_ingress_load_balancer_uses_the_terraform_static_ip(tree: list[tuple[Path, Doc]]) -> None:
    """The Service binds the static public IP by name in the environment's resource group, traffic policy Local."""
    service = values(addon(tree, "ingress-nginx"))["controller"]["service"]
    assert service["annotations"]["service.beta.kubernetes.io/azure-pip-name"] == "pip-medqa-dev-weu-ingress"
    group = service["annotations"]["service.beta.kubernetes.io/azure-load-balancer-resource-group"]
    assert group == "rg-medqa-dev-weu"
    assert service["externalTrafficPolicy"] == "Local"


def realip(peer: str, forwarded: str, trusted: list[str]) -> str:
    """nginx's realip module as ingress-nginx configures it (real_ip_header X-Forwarded-For, recursive on)."""
    networks = [ipaddress.ip_network(c) for c in trusted]

    def believed(address: str) -> bool:
        ip = ipaddress.ip_address(address)
        return any(ip in n for n in networks if n.version == ip.version)

    if not believed(peer):
        return peer
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    while len(hops) > 1 and believed(hops[-1]):
        hops.pop()
    return hops[-1] if hops else peer


def app_sees(config: dict[str, str], forwarded_by_client: str, client: str) -> str:
    """The client address the MedQA rate limit keys on, through Front Door and ingress-nginx as configured."""
    front_door_header = f"{forwarded_by_client}, {client}" if forwarded_by_client else client
    trusted = config["proxy-real-ip-cidr"].split(",") if config.get("use-forwarded-headers") == "true" else []
    address = realip(FRONT_DOOR_EDGE, front_door_header, trusted)
    # compute-full-forwarded-for off: nginx sends the address it settled on as the whole X-Forwarded-For.
    upstream = f"{front_door_header}, {address}" if config.get("compute-full-forwarded-for") == "true" else address
    request = SimpleNamespace(scope={}, client=SimpleNamespace(host=INGRESS_POD), headers={"x-forwarded-for": upstream})
    return client_identity((POD_CIDR,))(request)


@pytest.mark.parametrize("forged", ["", "203.0.113.66", "192.168.1.1, 10.0.0.1"])
def test_the_app_keys_on_the_real_client_behind_front_door(tree: list[tuple[Path, Doc]], forged: str) -> None:
    """Front Door -> ingress-nginx -> app: the rate limit sees the real client, whatever X-Forwarded-For it forges."""
    config = values(addon(tree, "ingress-nginx"))["controller"]["config"]
    assert config["use-forwarded-headers"] == "true"
    assert config["proxy-real-ip-cidr"] == annotation("dev", "medqa.io/front-door-backend-cidrs")
    assert app_sees(config, forged, "198.51.100.7") == "ip:198.51.100.7"


def test_the_chain_check_fails_on_the_old_ingress_values() -> None:
    """Without use-forwarded-headers every client is Front Door's edge address (the defect of issue #20, item 9)."""
    assert app_sees({}, "", "198.51.100.7") == f"ip:{FRONT_DOOR_EDGE}"
    trust_all = {"use-forwarded-headers": "true", "proxy-real-ip-cidr": "0.0.0.0/0"}
    assert app_sees(trust_all, "203.0.113.66", "198.51.100.7") == "ip:203.0.113.66"  # forgeable


def test_kyverno_verifies_the_release_workflow_signature(tree: list[tuple[Path, Doc]]) -> None:
    """verify-medqa-images: Enforce, keyless from release.yml on main, digests verified and pinned."""
    folder = ARGOCD / "addons" / "manifests" / "kyverno-policies"
    (policy,) = [d for d in load_manifests(folder) if d["kind"] == "ClusterPolicy"]
    assert policy["metadata"]["name"] == "verify-medqa-images"
    (rule,) = policy["spec"]["rules"]
    (verify,) = rule["verifyImages"]
    assert verify["imageReferences"] == ["crmedqasharedweu.azurecr.io/medqa*"]
    assert verify["failureAction"] == "Enforce"
    assert verify["mutateDigest"] is True and verify["verifyDigest"] is True and verify["required"] is True
    (attestor,) = verify["attestors"]
    (entry,) = attestor["entries"]
    assert entry["keyless"]["issuer"] == "https://token.actions.githubusercontent.com"
    subject = "https://github.com/example-org/medqa/.github/workflows/release.yml@refs/heads/main"
    assert entry["keyless"]["subject"] == subject
    kyverno = values(addon(tree, "kyverno"))["admissionController"]
    client_id = annotation("dev", "medqa.io/kyverno-client-id")
    assert kyverno["rbac"]["serviceAccount"]["annotations"] == {"azure.workload.identity/client-id": client_id}
    assert kyverno["podLabels"] == {"azure.workload.identity/use": "true"}


def test_managed_prometheus_scrapes_annotated_pods_in_medqa_namespaces_only() -> None:
    """ama-metrics-settings-configmap turns on annotation scraping for medqa and medqa-*, nothing else."""
    (cm,) = load_manifests(ARGOCD / "addons" / "manifests" / "managed-prometheus")
    assert (cm["metadata"]["name"], cm["metadata"]["namespace"]) == ("ama-metrics-settings-configmap", "kube-system")
    assert cm["data"]["schema-version"] == "v1"
    setting = re.fullmatch(r'podannotationnamespaceregex = "(.*)"', cm["data"]["pod-annotation-based-scraping"])
    assert setting, cm["data"]["pod-annotation-based-scraping"]
    regex = re.compile(setting.group(1))
    assert all(regex.fullmatch(ns) for ns in ("medqa", "medqa-pr-123", "medqa-perf"))
    assert not any(regex.fullmatch(ns) for ns in ("kube-system", "argocd", "ingress-nginx"))


def _enabled_monitors(node: object) -> list[str]:
    """Paths of every servicemonitor/serviceMonitor block that is switched on, anywhere in a values tree."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, child in node.items():
            if key.lower() == "servicemonitor" and isinstance(child, dict) and child.get("enabled"):
                found.append(key)
            found += _enabled_monitors(child)
    elif isinstance(node, list):
        for child in node:
            found += _enabled_monitors(child)
    return found


def test_kube_prometheus_stack_is_gone_everywhere(tree: list[tuple[Path, Doc]]) -> None:
    """One scraper: no kube-prometheus-stack Application or repository, no ServiceMonitor, no `monitoring`."""
    apps = every_application(tree)
    assert "kube-prometheus-stack" not in {a["metadata"]["name"] for a in apps}
    assert not any("prometheus-community" in a["spec"]["source"]["repoURL"] for a in apps)
    assert not any(a["spec"]["destination"].get("namespace") == "monitoring" for a in apps)
    helm = [a["spec"]["source"]["helm"]["valuesObject"] for a in apps if "helm" in a["spec"]["source"]]
    assert not any(_enabled_monitors(v) for v in helm)
    projects = [doc for _, doc in tree if doc["kind"] == "AppProject"]
    assert "monitoring.coreos.com" not in str(projects) and "'monitoring'" not in str(projects)
