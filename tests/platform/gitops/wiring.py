"""Policies of the platform contract (docs/platform-contract.md) on rendered overlays."""

from __future__ import annotations

import functools
import re
from typing import Any
from unittest import mock

Doc = dict[str, Any]

WORKLOAD_KINDS = ("Deployment", "Job", "CronJob")
WI_LABEL = "azure.workload.identity/use"
WI_ANNOTATIONS = ("azure.workload.identity/client-id", "azure.workload.identity/tenant-id")
SERVICE_ACCOUNT = "medqa"
# The migration Job alone runs as the migrate identity (the PostgreSQL Entra administrator).
MIGRATE_SERVICE_ACCOUNT = "medqa-migrate"
ACCOUNT_OF = {("Job", "medqa-migrate"): MIGRATE_SERVICE_ACCOUNT}
UNSET = "wiring.invalid"  # what the base holds until components/wiring sets a field
# The Ingress paths the contract fixes ("Ingress routes"): every public route of the app.
PUBLIC_PATHS = {
    ("/", "Exact"),
    ("/static", "Prefix"),
    ("/ask", "Prefix"),
    ("/questions", "Prefix"),
    ("/conversations", "Prefix"),
    ("/audit", "Prefix"),
    ("/schema", "Prefix"),
    ("/healthz", "Exact"),
}
PRIVATE_ROUTES = ("/metrics", "/readyz", "/livez")
FQDNS = {"generativelanguage.googleapis.com", "login.microsoftonline.com"}
OPEN_CIDRS = {"0.0.0.0/0", "::/0"}


def ref(doc: Doc) -> str:
    """`Kind/name` of an object, for messages."""
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


def of_kind(docs: list[Doc], kind: str) -> list[Doc]:
    """Objects of one kind."""
    return [d for d in docs if d.get("kind") == kind]


def pod_template(doc: Doc) -> Doc:
    """The pod template of a Deployment, Job or CronJob."""
    if doc["kind"] == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]
    return doc["spec"]["template"]


def meta(doc: Doc, field: str) -> dict[str, str]:
    """Labels or annotations of an object (empty when none)."""
    return doc.get("metadata", {}).get(field) or {}


def workload_identity_on_pods(docs: list[Doc]) -> list[str]:
    """Every pod template runs as `medqa` (the migration Job as `medqa-migrate`) with the webhook label.

    The label is not on the ServiceAccounts, which carry the client and tenant annotations.
    """
    found = []
    for doc in (d for d in docs if d.get("kind") in WORKLOAD_KINDS):
        template = pod_template(doc)
        if meta(template, "labels").get(WI_LABEL) != "true":
            found.append(f"{ref(doc)}: pod template lacks label {WI_LABEL}: 'true'")
        wanted = ACCOUNT_OF.get((doc["kind"], doc["metadata"]["name"]), SERVICE_ACCOUNT)
        if template["spec"].get("serviceAccountName") != wanted:
            found.append(f"{ref(doc)}: pods do not run as ServiceAccount {wanted}")
    names = (SERVICE_ACCOUNT, MIGRATE_SERVICE_ACCOUNT)
    accounts = [a for a in of_kind(docs, "ServiceAccount") if a["metadata"]["name"] in names]
    for name in names:
        if not any(a["metadata"]["name"] == name for a in accounts):
            found.append(f"no ServiceAccount {name}")
    for account in accounts:
        if WI_LABEL in meta(account, "labels"):
            found.append(f"{ref(account)}: {WI_LABEL} belongs on pod templates (the webhook ignores accounts)")
        for key in WI_ANNOTATIONS:
            if not meta(account, "annotations").get(key):
                found.append(f"{ref(account)}: no annotation {key}")
    return found


def covers(path: str, kind: str, route: str) -> bool:
    """True when an Ingress path of this pathType routes requests for `route`."""
    if kind == "Exact":
        return route == path
    base = path.rstrip("/")
    return route == path or route.startswith(base + "/")


def ingress_paths(ingress: Doc) -> list[tuple[str, str]]:
    """(path, pathType) of every rule of an Ingress."""
    return [
        (p["path"], p["pathType"])
        for rule in ingress["spec"].get("rules", [])
        for p in rule.get("http", {}).get("paths", [])
    ]


@functools.cache
def app_routes() -> tuple[str, ...]:
    """The app's public route paths: app.asgi.public_routes() when it exists, else its route table minus probes."""
    from app import asgi
    from app.settings import Settings

    if hasattr(asgi, "public_routes"):
        # Paths, or (path, ...) pairs: the first element is the route path either way.
        return tuple(sorted(str(r if isinstance(r, str) else r[0]) for r in asgi.public_routes()))
    # The Litestar app inside the metrics middleware; create_app() wraps it last.
    with mock.patch.object(asgi, "observe", lambda app, metrics: app):
        litestar_app = asgi.create_app(Settings())
    paths = {re.sub(r"\{[^}]*\}", "x", route.path) for route in litestar_app.routes}
    return tuple(sorted(p for p in paths if p not in PRIVATE_ROUTES))


def ingress_routes_match_app(docs: list[Doc], routes: tuple[str, ...] | None = None) -> list[str]:
    """The Ingress routes exactly the contract's paths, which cover every public app route and no private one."""
    routes = app_routes() if routes is None else routes
    found = []
    for ing in of_kind(docs, "Ingress"):
        paths = ingress_paths(ing)
        if set(paths) != PUBLIC_PATHS or len(paths) != len(PUBLIC_PATHS):
            found.append(f"{ref(ing)}: paths {sorted(paths)} are not the contract's {sorted(PUBLIC_PATHS)}")
        for route in routes:
            if not any(covers(p, k, route) for p, k in paths):
                found.append(f"{ref(ing)}: app route {route} is not routed")
        for p, k in paths:
            if not any(covers(p, k, route) for route in routes):
                found.append(f"{ref(ing)}: path {p} ({k}) routes to no app route")
    return found or ([] if of_kind(docs, "Ingress") else ["no Ingress"])


def no_open_egress(docs: list[Doc]) -> list[str]:
    """No NetworkPolicy or CiliumNetworkPolicy opens the internet (0.0.0.0/0, ::/0, the world entity)."""
    found = []
    for pol in of_kind(docs, "NetworkPolicy"):
        for rule in [*pol["spec"].get("egress", []), *pol["spec"].get("ingress", [])]:
            for peer in [*rule.get("to", []), *rule.get("from", [])]:
                if peer.get("ipBlock", {}).get("cidr") in OPEN_CIDRS:
                    found.append(f"{ref(pol)}: ipBlock {peer['ipBlock']['cidr']}")
    for pol in of_kind(docs, "CiliumNetworkPolicy"):
        for rule in pol["spec"].get("egress", []):
            if set(rule.get("toCIDR", [])) & OPEN_CIDRS or "world" in rule.get("toEntities", []):
                found.append(f"{ref(pol)}: egress to the whole internet")
    return found


def _dns_rule_to_kube_dns(rule: Doc) -> bool:
    to_dns = any(
        e.get("matchLabels", {}).get("k8s:k8s-app") == "kube-dns"
        and e.get("matchLabels", {}).get("k8s:io.kubernetes.pod.namespace") == "kube-system"
        for e in rule.get("toEndpoints", [])
    )
    port53 = [tp for tp in rule.get("toPorts", []) if any(p.get("port") == "53" for p in tp.get("ports", []))]
    return to_dns and bool(port53) and all(tp.get("rules", {}).get("dns") for tp in port53)


def fqdn_egress(docs: list[Doc]) -> list[str]:
    """Gemini and Entra login by name on 443 through Cilium, with DNS through kube-dns under a DNS rule."""
    found = []
    policies = [p for p in of_kind(docs, "CiliumNetworkPolicy") if "egress" in p["spec"]]
    if not policies:
        return ["no CiliumNetworkPolicy with egress rules"]
    names = set()
    for pol in policies:
        if pol["spec"].get("endpointSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name") != "medqa":
            found.append(f"{ref(pol)}: does not select the MedQA pods")
        for rule in pol["spec"]["egress"]:
            if "toFQDNs" in rule:
                ports = {(p.get("port"), p.get("protocol")) for tp in rule.get("toPorts", []) for p in tp["ports"]}
                if ports != {("443", "TCP")}:
                    found.append(f"{ref(pol)}: FQDN egress on {sorted(ports)}, want 443/TCP only")
                names |= {f.get("matchName") or f.get("matchPattern") for f in rule["toFQDNs"]}
    if names != FQDNS:
        found.append(f"FQDN egress names {sorted(names)}, want {sorted(FQDNS)}")
    if not any(_dns_rule_to_kube_dns(r) for pol in policies for r in pol["spec"]["egress"]):
        found.append("no egress to kube-dns on 53 with a rules.dns entry (FQDN policies learn addresses from it)")
    for pol in of_kind(docs, "NetworkPolicy"):
        for rule in pol["spec"].get("egress", []):
            if any(p.get("port") == 53 for p in rule.get("ports", [])):
                found.append(f"{ref(pol)}: an L4 DNS rule bypasses Cilium's DNS proxy")
    return found


def secrets_from_external_secrets(docs: list[Doc]) -> list[str]:
    """No CSI driver left; medqa-secrets comes from the SecretStore medqa-keyvault by workload identity."""
    found = [f"{ref(d)}: the Secrets Store CSI driver is gone" for d in of_kind(docs, "SecretProviderClass")]
    for doc in (d for d in docs if d.get("kind") in WORKLOAD_KINDS):
        for volume in pod_template(doc)["spec"].get("volumes", []):
            if "csi" in volume:
                found.append(f"{ref(doc)}: CSI volume {volume['name']}")
    stores = {s["metadata"]["name"]: s for s in of_kind(docs, "SecretStore")}
    azurekv = stores.get("medqa-keyvault", {}).get("spec", {}).get("provider", {}).get("azurekv", {})
    if azurekv.get("authType") != "WorkloadIdentity" or azurekv.get("serviceAccountRef") != {"name": SERVICE_ACCOUNT}:
        found.append("SecretStore/medqa-keyvault: want azurekv, authType WorkloadIdentity, serviceAccountRef medqa")
    secrets = [e for e in of_kind(docs, "ExternalSecret") if e["metadata"]["name"] == "medqa-secrets"]
    if not secrets:
        return [*found, "no ExternalSecret medqa-secrets"]
    spec = secrets[0]["spec"]
    if spec.get("secretStoreRef") != {"kind": "SecretStore", "name": "medqa-keyvault"}:
        found.append("ExternalSecret/medqa-secrets: not read from SecretStore medqa-keyvault")
    if [d["secretKey"] for d in spec.get("data", [])] != ["GEMINI_API_KEY"]:
        found.append("ExternalSecret/medqa-secrets: want exactly the key GEMINI_API_KEY")
    return found


def metrics_by_annotation(docs: list[Doc]) -> list[str]:
    """Managed Prometheus scrapes by pod annotation; no ServiceMonitor or PrometheusRule is deployed."""
    found = [
        f"{ref(d)}: Managed Prometheus does not read it"
        for d in docs
        if d["kind"] in ("ServiceMonitor", "PrometheusRule")
    ]
    for dep in of_kind(docs, "Deployment"):
        template = pod_template(dep)
        ports = {str(p["containerPort"]) for c in template["spec"]["containers"] for p in c.get("ports", [])}
        notes = meta(template, "annotations")
        if notes.get("prometheus.io/scrape") != "true" or notes.get("prometheus.io/path") != "/metrics":
            found.append(f"{ref(dep)}: pods not annotated for scraping /metrics")
        if notes.get("prometheus.io/port") not in ports:
            found.append(f"{ref(dep)}: prometheus.io/port {notes.get('prometheus.io/port')!r} is no container port")
    return found


def wiring_applied(docs: list[Doc]) -> list[str]:
    """components/wiring set every field (no `wiring.invalid` left) and the wiring ConfigMap is not deployed."""
    found = [f"{ref(d)}: still holds {UNSET}" for d in docs if UNSET in repr(d)]
    found += [
        f"{ref(d)}: the local-config wiring is deployed" for d in of_kind(docs, "ConfigMap") if "wiring" in ref(d)
    ]
    return found


def kube_score_ignores_explained(docs: list[Doc]) -> list[str]:
    """Every check in a `kube-score/ignore` annotation has a reason in `kube-score.medqa.io/<check>`."""
    found = []
    for doc in docs:
        notes = meta(doc, "annotations")
        for check in filter(None, (c.strip() for c in notes.get("kube-score/ignore", "").split(","))):
            reason = notes.get(f"kube-score.medqa.io/{check}", "")
            if len(reason.split()) < 8:
                found.append(f"{ref(doc)}: kube-score check {check} ignored without a reason")
    return found


POLICIES = {
    "workload identity label on pod templates": workload_identity_on_pods,
    "ingress paths are the app's public routes": ingress_routes_match_app,
    "no internet-wide egress": no_open_egress,
    "FQDN egress through Cilium": fqdn_egress,
    "secrets from External Secrets": secrets_from_external_secrets,
    "metrics by pod annotation": metrics_by_annotation,
    "wiring applied": wiring_applied,
    "kube-score ignores explained": kube_score_ignores_explained,
}
