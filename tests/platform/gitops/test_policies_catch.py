"""Each policy reports a violation when the rendered manifests break it (no policy passes by omission)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.platform.gitops import old_state
from tests.platform.gitops.policies import POLICIES, Doc, container_env, of_kind, pod_template, webhook_env

Mutation = Callable[[list[Doc]], None]


def _api(docs: list[Doc]) -> Doc:
    return pod_template(of_kind(docs, "Deployment")[0])["spec"]["containers"][0]


def _job(docs: list[Doc]) -> Doc:
    return of_kind(docs, "Job")[0]


def _drop(kind: str) -> Mutation:
    def mutate(docs: list[Doc]) -> None:
        docs[:] = [d for d in docs if d["kind"] != kind]

    return mutate


def _set_path(docs: list[Doc]) -> None:
    of_kind(docs, "Ingress")[0]["spec"]["rules"][0]["http"]["paths"][0].update(path="/", pathType="Prefix")


BREAKS: list[tuple[str, str, Mutation]] = [
    ("containers have requests and limits", "no memory limit", lambda d: _api(d)["resources"]["limits"].pop("memory")),
    ("deployments have startup/liveness/readiness probes", "no readiness", lambda d: _api(d).pop("readinessProbe")),
    (
        "deployments have startup/liveness/readiness probes",
        "liveness on /readyz",
        lambda d: _api(d)["livenessProbe"]["httpGet"].update(path="/readyz"),
    ),
    ("restricted securityContext", "privileged", lambda d: _api(d)["securityContext"].update(privileged=True)),
    (
        "restricted securityContext",
        "writable root",
        lambda d: _api(d)["securityContext"].update(readOnlyRootFilesystem=False),
    ),
    ("restricted securityContext", "low uid", lambda d: _api(d)["securityContext"].update(runAsUser=1000)),
    (
        "restricted securityContext",
        "cap added",
        lambda d: _api(d)["securityContext"]["capabilities"].update(add=["NET_ADMIN"]),
    ),
    (
        "restricted securityContext",
        "pod may run as root",
        lambda d: pod_template(_job(d))["spec"]["securityContext"].pop("runAsNonRoot"),
    ),
    ("no host access", "hostNetwork", lambda d: pod_template(_job(d))["spec"].update(hostNetwork=True)),
    (
        "no host access",
        "hostPath",
        lambda d: pod_template(_job(d))["spec"]["volumes"].append({"name": "h", "hostPath": {"path": "/"}}),
    ),
    ("every Deployment has a PDB and an HPA", "no PDB", _drop("PodDisruptionBudget")),
    ("every Deployment has a PDB and an HPA", "no HPA", _drop("HorizontalPodAutoscaler")),
    (
        "every Deployment has a PDB and an HPA",
        "PDB blocks drains",
        lambda d: of_kind(d, "PodDisruptionBudget")[0]["spec"].update(maxUnavailable=0),
    ),
    (
        "default-deny NetworkPolicy",
        "no default deny",
        lambda d: d.remove(next(p for p in of_kind(d, "NetworkPolicy") if p["spec"]["podSelector"] == {})),
    ),
    (
        "default-deny NetworkPolicy",
        "ingress only",
        lambda d: next(p for p in of_kind(d, "NetworkPolicy") if p["spec"]["podSelector"] == {})["spec"].update(
            policyTypes=["Ingress"]
        ),
    ),
    ("images pinned by digest", "tag", lambda d: _api(d).update(image="crmedqasharedweu.azurecr.io/medqa:0.1.0")),
    ("images pinned by digest", "latest", lambda d: _api(d).update(image="medqa:latest")),
    (
        "labels consistent",
        "missing part-of",
        lambda d: of_kind(d, "Service")[0]["metadata"]["labels"].pop("app.kubernetes.io/part-of"),
    ),
    (
        "labels consistent",
        "service selects nothing",
        lambda d: of_kind(d, "Service")[0]["spec"]["selector"].update({"app.kubernetes.io/component": "web"}),
    ),
    (
        "namespace restricted",
        "baseline",
        lambda d: of_kind(d, "Namespace")[0]["metadata"]["labels"].update(
            {"pod-security.kubernetes.io/enforce": "baseline"}
        ),
    ),
    (
        "namespace restricted",
        "default namespace",
        lambda d: of_kind(d, "Service")[0]["metadata"].update(namespace="default"),
    ),
    (
        "no service account token mounted",
        "token mounted",
        lambda d: pod_template(of_kind(d, "CronJob")[0])["spec"].update(automountServiceAccountToken=True),
    ),
    (
        "migration ordering",
        "PreSync hook",
        lambda d: _job(d)["metadata"]["annotations"].update({"argocd.argoproj.io/hook": "PreSync"}),
    ),
    (
        "migration ordering",
        "same wave as Deployment",
        lambda d: _job(d)["metadata"]["annotations"].update({"argocd.argoproj.io/sync-wave": "0"}),
    ),
    ("migration ordering", "ttl", lambda d: _job(d)["spec"].update(ttlSecondsAfterFinished=60)),
    ("migration ordering", "no deadline", lambda d: _job(d)["spec"].pop("activeDeadlineSeconds")),
    (
        "migration ordering",
        "no force",
        lambda d: _job(d)["metadata"]["annotations"].pop("argocd.argoproj.io/sync-options"),
    ),
    (
        "migration ordering",
        "replace on every sync",
        lambda d: _job(d)["metadata"]["annotations"].update(
            {"argocd.argoproj.io/sync-options": "Force=true,Replace=true"}
        ),
    ),
    (
        "migration ordering",
        "config after job",
        lambda d: of_kind(d, "ConfigMap")[0]["metadata"]["annotations"].update({"argocd.argoproj.io/sync-wave": "1"}),
    ),
    ("ingress public routes only", "root prefix exposes /metrics", _set_path),
    ("ingress public routes only", "no tls", lambda d: of_kind(d, "Ingress")[0]["spec"].pop("tls")),
    (
        "ingress public routes only",
        "other issuer",
        lambda d: of_kind(d, "Ingress")[0]["metadata"]["annotations"].update({"cert-manager.io/cluster-issuer": "x"}),
    ),
    (
        "ingress public routes only",
        "other class",
        lambda d: of_kind(d, "Ingress")[0]["spec"].update(ingressClassName="traefik"),
    ),
]


BREAKS += [
    ("workload identity label on pod templates", "label on the ServiceAccount (old state)", old_state.label_on_account),
    (
        "workload identity label on pod templates",
        "job runs as default",
        lambda d: pod_template(_job(d))["spec"].pop("serviceAccountName"),
    ),
    ("ingress paths are the app's public routes", "only /ask /questions /schema (old state)", old_state.three_routes),
    ("ingress paths are the app's public routes", "/metrics routed", old_state.metrics_routed),
    ("no internet-wide egress", "0.0.0.0/0 on 443 (old state)", old_state.open_https),
    ("FQDN egress through Cilium", "no Cilium policy (old state)", _drop("CiliumNetworkPolicy")),
    ("FQDN egress through Cilium", "L4 DNS rule (old state)", old_state.l4_dns),
    ("FQDN egress through Cilium", "DNS without a DNS rule", old_state.dns_without_rule),
    ("secrets from External Secrets", "SecretProviderClass and CSI volume (old state)", old_state.csi_driver),
    ("secrets from External Secrets", "no ExternalSecret", _drop("ExternalSecret")),
    ("metrics by pod annotation", "ServiceMonitor (old state)", old_state.service_monitor),
    ("metrics by pod annotation", "no scrape annotation", old_state.no_scrape_annotation),
    ("wiring applied", "base value left", old_state.unwired_vault),
    ("wiring applied", "wiring ConfigMap deployed", old_state.wiring_deployed),
    ("kube-score ignores explained", "ignore without reason", old_state.unexplained_ignore),
]


def test_every_policy_has_a_breaking_case() -> None:
    """No policy goes untested below."""
    assert {name for name, _, _ in BREAKS} == set(POLICIES)


@pytest.mark.parametrize(("policy", "case", "mutate"), BREAKS, ids=[f"{p}: {c}" for p, c, _ in BREAKS])
def test_policy_catches(rendered: dict[str, list[Doc]], policy: str, case: str, mutate: Mutation) -> None:
    """The unbroken dev render passes; after one breaking change the policy reports it."""
    docs = copy.deepcopy(rendered["dev"])
    assert POLICIES[policy](docs) == []
    mutate(docs)
    assert POLICIES[policy](docs), f"{policy} missed: {case}"


def test_settings_check_catches_a_prod_job_without_the_gemini_key(
    rendered: dict[str, list[Doc]], tmp_path: Path
) -> None:
    """The service refuses prod without GEMINI_API_KEY even for `migrate`; dropping it from the Job is caught."""
    from app.settings import ConfigError, Settings

    docs = copy.deepcopy(rendered["prod"])
    spec = pod_template(_job(docs))["spec"]
    container = spec["containers"][0]
    token = tmp_path / "azure-identity-token"
    token.write_text("federated-token")
    webhook = webhook_env(docs, spec, str(token))
    Settings.from_env(container_env(docs, container) | webhook)
    container["env"] = [e for e in container["env"] if e["name"] != "GEMINI_API_KEY"]
    with pytest.raises(ConfigError, match="GEMINI_API_KEY"):
        Settings.from_env(container_env(docs, container) | webhook)
