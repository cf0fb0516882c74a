"""Policies every rendered overlay must satisfy; each returns the violations it finds (empty = pass)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from tests.platform.gitops import wiring
from tests.platform.gitops.wiring import covers, ingress_paths

Doc = dict[str, Any]
Policy = Callable[[list[Doc]], list[str]]

NAMESPACE = "medqa"
MIN_UID = 10000
DIGEST = re.compile(r"^[a-z0-9.-]+(?::\d+)?/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$")
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod")
RECOMMENDED = {"app.kubernetes.io/name": "medqa", "app.kubernetes.io/part-of": "medqa"}
PSA_MODES = ("enforce", "audit", "warn")
PRIVATE_PATHS = ("/metrics", "/readyz", "/livez")
SECRET_KINDS = ("SecretStore", "ExternalSecret")
CLUSTER_ISSUER = "letsencrypt"  # DNS-01, made by gitops/argocd (no solver pod to admit)


def ref(doc: Doc) -> str:
    """`Kind/name` of an object, for messages."""
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


def of_kind(docs: list[Doc], kind: str) -> list[Doc]:
    """Objects of one kind."""
    return [d for d in docs if d.get("kind") == kind]


def pod_template(doc: Doc) -> Doc:
    """The pod template (metadata + spec) of a workload object."""
    if doc["kind"] == "Pod":
        return doc
    if doc["kind"] == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]
    return doc["spec"]["template"]


def workloads(docs: list[Doc]) -> Iterator[tuple[Doc, Doc]]:
    """(object, pod spec) for every object that runs pods."""
    for doc in docs:
        if doc.get("kind") in WORKLOAD_KINDS:
            yield doc, pod_template(doc)["spec"]


def containers(spec: Doc) -> list[Doc]:
    """Init and regular containers of a pod spec."""
    return [*spec.get("initContainers", []), *spec.get("containers", [])]


def annotations(doc: Doc) -> dict[str, str]:
    """Annotations of an object (empty when none)."""
    return doc.get("metadata", {}).get("annotations") or {}


def labels(doc: Doc) -> dict[str, str]:
    """Labels of an object (empty when none)."""
    return doc.get("metadata", {}).get("labels") or {}


def selects(selector: dict[str, str], target: dict[str, str]) -> bool:
    """True when every selector pair is among the target labels."""
    return bool(selector) and all(target.get(k) == v for k, v in selector.items())


def containers_have_limits(docs: list[Doc]) -> list[str]:
    """Every container requests and limits both CPU and memory."""
    found = []
    for doc, spec in workloads(docs):
        for c in containers(spec):
            res = c.get("resources", {})
            for part in ("requests", "limits"):
                for name in ("cpu", "memory"):
                    if name not in res.get(part, {}):
                        found.append(f"{ref(doc)} container {c['name']}: no {part}.{name}")
    return found


def deployments_have_probes(docs: list[Doc]) -> list[str]:
    """Serving containers have startup and liveness probes on /healthz and a readiness probe on /readyz."""
    wanted = {"startupProbe": "/healthz", "livenessProbe": "/healthz", "readinessProbe": "/readyz"}
    found = []
    for doc in of_kind(docs, "Deployment"):
        for c in pod_template(doc)["spec"]["containers"]:
            for probe, path in wanted.items():
                got = c.get(probe, {}).get("httpGet", {}).get("path")
                if got != path:
                    found.append(f"{ref(doc)} container {c['name']}: {probe} path {got!r}, want {path!r}")
    return found


def restricted_security_context(docs: list[Doc]) -> list[str]:
    """Pod Security "restricted" fields spelled out, plus a read-only root filesystem and a high UID."""
    found = []
    for doc, spec in workloads(docs):
        pod = spec.get("securityContext", {})
        if pod.get("runAsNonRoot") is not True:
            found.append(f"{ref(doc)}: pod runAsNonRoot is not true")
        if pod.get("seccompProfile", {}).get("type") not in ("RuntimeDefault", "Localhost"):
            found.append(f"{ref(doc)}: pod seccompProfile is not RuntimeDefault")
        for c in containers(spec):
            sc = c.get("securityContext", {})
            where = f"{ref(doc)} container {c['name']}"
            if sc.get("allowPrivilegeEscalation") is not False:
                found.append(f"{where}: allowPrivilegeEscalation is not false")
            if sc.get("privileged"):
                found.append(f"{where}: privileged")
            if sc.get("readOnlyRootFilesystem") is not True:
                found.append(f"{where}: readOnlyRootFilesystem is not true")
            if sc.get("capabilities", {}).get("drop") != ["ALL"] or sc.get("capabilities", {}).get("add"):
                found.append(f"{where}: capabilities must drop ALL and add none")
            uid = sc.get("runAsUser", pod.get("runAsUser"))
            if not isinstance(uid, int) or uid < MIN_UID:
                found.append(f"{where}: runAsUser {uid!r} is not a UID >= {MIN_UID}")
    return found


def no_host_access(docs: list[Doc]) -> list[str]:
    """No hostPath volume, host namespace or host port."""
    found = []
    for doc, spec in workloads(docs):
        for flag in ("hostNetwork", "hostPID", "hostIPC"):
            if spec.get(flag):
                found.append(f"{ref(doc)}: {flag}")
        for volume in spec.get("volumes", []):
            if "hostPath" in volume:
                found.append(f"{ref(doc)}: hostPath volume {volume['name']}")
        for c in containers(spec):
            for port in c.get("ports", []):
                if "hostPort" in port:
                    found.append(f"{ref(doc)} container {c['name']}: hostPort {port['hostPort']}")
    return found


def deployments_have_pdb_and_hpa(docs: list[Doc]) -> list[str]:
    """Every Deployment is covered by a PodDisruptionBudget and scaled by an HPA."""
    found = []
    for dep in of_kind(docs, "Deployment"):
        pod_labels = labels(pod_template(dep))
        pdbs = [
            p
            for p in of_kind(docs, "PodDisruptionBudget")
            if selects(p["spec"]["selector"].get("matchLabels", {}), pod_labels)
        ]
        if not pdbs:
            found.append(f"{ref(dep)}: no PodDisruptionBudget selects its pods")
        for pdb in pdbs:
            if pdb["spec"].get("maxUnavailable", 1) == 0 or "minAvailable" in pdb["spec"]:
                found.append(f"{ref(pdb)}: use maxUnavailable >= 1 so a node can always be drained")
        target = {"apiVersion": "apps/v1", "kind": "Deployment", "name": dep["metadata"]["name"]}
        hpas = [h for h in of_kind(docs, "HorizontalPodAutoscaler") if h["spec"]["scaleTargetRef"] == target]
        if not hpas:
            found.append(f"{ref(dep)}: no HorizontalPodAutoscaler targets it")
        for hpa in hpas:
            if hpa["spec"]["minReplicas"] > hpa["spec"]["maxReplicas"]:
                found.append(f"{ref(hpa)}: minReplicas above maxReplicas")
    return found


def default_deny_exists(docs: list[Doc]) -> list[str]:
    """A NetworkPolicy selects every pod and denies all ingress and egress."""
    for pol in of_kind(docs, "NetworkPolicy"):
        spec = pol["spec"]
        if (
            spec.get("podSelector") == {}
            and set(spec.get("policyTypes", [])) == {"Ingress", "Egress"}
            and not spec.get("ingress")
            and not spec.get("egress")
        ):
            return []
    return ["no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress+Egress, no rules)"]


def images_pinned(docs: list[Doc]) -> list[str]:
    """Every image is a registry reference pinned by sha256 digest (so never `latest`)."""
    found = []
    for doc, spec in workloads(docs):
        for c in containers(spec):
            if not DIGEST.match(c.get("image", "")):
                found.append(f"{ref(doc)} container {c['name']}: image {c.get('image')!r} is not pinned by digest")
    return found


def labels_consistent(docs: list[Doc]) -> list[str]:
    """Recommended labels everywhere, pods carry name+component, and selectors find what they must."""
    found = []
    for doc in docs:
        missing = {k: v for k, v in RECOMMENDED.items() if labels(doc).get(k) != v}
        if missing:
            found.append(f"{ref(doc)}: missing labels {missing}")
    for doc, _ in workloads(docs):
        pod_labels = labels(pod_template(doc))
        for key in ("app.kubernetes.io/name", "app.kubernetes.io/component"):
            if key not in pod_labels:
                found.append(f"{ref(doc)}: pod template has no {key}")
    for dep in of_kind(docs, "Deployment"):
        if not selects(dep["spec"]["selector"]["matchLabels"], labels(pod_template(dep))):
            found.append(f"{ref(dep)}: selector does not match its pod template")
        services = [
            s for s in of_kind(docs, "Service") if selects(s["spec"].get("selector", {}), labels(pod_template(dep)))
        ]
        if not services:
            found.append(f"{ref(dep)}: no Service selects its pods")
    return found


def namespace_restricted(docs: list[Doc]) -> list[str]:
    """The namespace enforces, audits and warns Pod Security "restricted"; every object lives in it."""
    found = []
    namespaces = [n for n in of_kind(docs, "Namespace") if n["metadata"]["name"] == NAMESPACE]
    if not namespaces:
        return [f"no Namespace {NAMESPACE}"]
    ns_labels = labels(namespaces[0])
    for mode in PSA_MODES:
        if ns_labels.get(f"pod-security.kubernetes.io/{mode}") != "restricted":
            found.append(f"Namespace/{NAMESPACE}: pod-security {mode} is not restricted")
    for doc in docs:
        if doc["kind"] != "Namespace" and doc["metadata"].get("namespace") != NAMESPACE:
            found.append(f"{ref(doc)}: namespace {doc['metadata'].get('namespace')!r}, want {NAMESPACE!r}")
    return found


def service_account_tokens(docs: list[Doc]) -> list[str]:
    """No pod mounts a Kubernetes API token: none of them calls the API."""
    found = [
        f"{ref(doc)}: automountServiceAccountToken is not false"
        for doc, spec in workloads(docs)
        if spec.get("automountServiceAccountToken") is not False
    ]
    found += [
        f"{ref(sa)}: automountServiceAccountToken is not false"
        for sa in of_kind(docs, "ServiceAccount")
        if sa.get("automountServiceAccountToken") is not False
    ]
    return found


def wave(doc: Doc) -> int:
    """Argo CD sync wave of an object (0 when unset)."""
    return int(annotations(doc).get("argocd.argoproj.io/sync-wave", "0"))


def migration_ordering(docs: list[Doc]) -> list[str]:
    """The migration Job is a sync-wave resource between its inputs and the Deployment (gitops/README.md)."""
    jobs = [j for j in of_kind(docs, "Job") if labels(pod_template(j)).get("app.kubernetes.io/component") == "migrate"]
    if len(jobs) != 1:
        return [f"want exactly one migration Job, found {len(jobs)}"]
    job, found = jobs[0], []
    if "argocd.argoproj.io/hook" in annotations(job):
        found.append(f"{ref(job)}: is an Argo CD hook; the chosen design is a sync wave")
    options = {o.strip() for o in annotations(job).get("argocd.argoproj.io/sync-options", "").split(",")}
    if "Force=true" not in options:
        found.append(f"{ref(job)}: needs sync-option Force=true (its pod template is immutable)")
    if "Replace=true" in options:
        found.append(f"{ref(job)}: Replace=true re-runs it on every sync; Force=true re-creates it only when changed")
    if "ttlSecondsAfterFinished" in job["spec"]:
        found.append(f"{ref(job)}: ttlSecondsAfterFinished makes self-heal re-create and re-run it")
    if not job["spec"].get("activeDeadlineSeconds"):
        found.append(f"{ref(job)}: no activeDeadlineSeconds, a hung migration would block the sync")
    for dep in of_kind(docs, "Deployment"):
        if wave(dep) <= wave(job):
            found.append(f"{ref(dep)}: wave {wave(dep)} is not after the migration Job's {wave(job)}")
    for kind in ("Namespace", "ServiceAccount", "ConfigMap", *SECRET_KINDS, "NetworkPolicy", "CiliumNetworkPolicy"):
        for doc in of_kind(docs, kind):
            if wave(doc) >= wave(job):
                found.append(f"{ref(doc)}: wave {wave(doc)} is not before the migration Job's {wave(job)}")
    return found


def ingress_public_only(docs: list[Doc]) -> list[str]:
    """Ingress: class nginx, TLS by cert-manager covering every rule host, and never a route to metrics or probes."""
    found = []
    ingresses = of_kind(docs, "Ingress")
    if not ingresses:
        return ["no Ingress"]
    for ing in ingresses:
        spec = ing["spec"]
        if spec.get("ingressClassName") != "nginx":
            found.append(f"{ref(ing)}: ingressClassName is not nginx")
        if not spec.get("tls") or annotations(ing).get("cert-manager.io/cluster-issuer") != CLUSTER_ISSUER:
            found.append(f"{ref(ing)}: no TLS issued by cert-manager's ClusterIssuer {CLUSTER_ISSUER}")
        hosts = {r.get("host") for r in spec.get("rules", [])}
        tls_hosts = {h for t in spec.get("tls", []) for h in t.get("hosts", [])}
        if not hosts <= tls_hosts:
            found.append(f"{ref(ing)}: rule hosts {sorted(hosts - tls_hosts)} have no TLS")
        for p, kind in ingress_paths(ing):
            for private in PRIVATE_PATHS:
                if covers(p, kind, private):
                    found.append(f"{ref(ing)}: path {p} ({kind}) exposes {private}")
    return found


# Stand-in for the one Key Vault secret; only its shape matters to the settings parser.
SECRET_SAMPLES = {"GEMINI_API_KEY": "sample-key"}


def container_env(docs: list[Doc], container: Doc) -> dict[str, str]:
    """The environment a container would get: ConfigMaps it loads, literal values, secret references."""
    config_maps = {c["metadata"]["name"]: c.get("data", {}) for c in of_kind(docs, "ConfigMap")}
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(config_maps[source["configMapRef"]["name"]])
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = item["value"]
        else:
            env[item["name"]] = SECRET_SAMPLES[item["valueFrom"]["secretKeyRef"]["key"]]
    return env


def webhook_env(docs: list[Doc], spec: Doc, token: str) -> dict[str, str]:
    """What the AKS workload identity webhook adds at admission to a pod labelled azure.workload.identity/use.

    The values come from the pod's ServiceAccount annotations; `token` stands in for the projected token file.
    """
    from app.entra import WEBHOOK_VARIABLES

    notes = next(
        annotations(a) for a in of_kind(docs, "ServiceAccount") if a["metadata"]["name"] == spec["serviceAccountName"]
    )
    values = (
        notes["azure.workload.identity/client-id"],
        notes["azure.workload.identity/tenant-id"],
        token,
        "https://login.microsoftonline.com/",
    )
    return dict(zip(WEBHOOK_VARIABLES, values, strict=True))


POLICIES: dict[str, Policy] = {
    "containers have requests and limits": containers_have_limits,
    "deployments have startup/liveness/readiness probes": deployments_have_probes,
    "restricted securityContext": restricted_security_context,
    "no host access": no_host_access,
    "every Deployment has a PDB and an HPA": deployments_have_pdb_and_hpa,
    "default-deny NetworkPolicy": default_deny_exists,
    "images pinned by digest": images_pinned,
    "labels consistent": labels_consistent,
    "namespace restricted": namespace_restricted,
    "no service account token mounted": service_account_tokens,
    "migration ordering": migration_ordering,
    "ingress public routes only": ingress_public_only,
    **wiring.POLICIES,
}
