"""Mutations that put a rendered overlay back into a state the platform contract forbids (mostly the old one)."""

from __future__ import annotations

from tests.platform.gitops.policies import Doc, of_kind, pod_template

OLD_PATHS = [("/ask", "Exact"), ("/questions", "Prefix"), ("/schema", "Prefix")]


def _named(docs: list[Doc], kind: str, name: str) -> Doc:
    return next(d for d in of_kind(docs, kind) if d["metadata"]["name"] == name)


def label_on_account(docs: list[Doc]) -> None:
    """The webhook label on the ServiceAccount instead of the pod templates."""
    for kind in ("Deployment", "Job", "CronJob"):
        pod_template(of_kind(docs, kind)[0])["metadata"]["labels"].pop("azure.workload.identity/use")
    of_kind(docs, "ServiceAccount")[0]["metadata"]["labels"]["azure.workload.identity/use"] = "true"


def _set_paths(docs: list[Doc], paths: list[tuple[str, str]]) -> None:
    rule = of_kind(docs, "Ingress")[0]["spec"]["rules"][0]
    backend = rule["http"]["paths"][0]["backend"]
    rule["http"]["paths"] = [{"path": p, "pathType": k, "backend": backend} for p, k in paths]


def three_routes(docs: list[Doc]) -> None:
    """The Ingress of before: /, /static, /ask/stream, /conversations, /audit and /healthz were 404."""
    _set_paths(docs, OLD_PATHS)


def metrics_routed(docs: list[Doc]) -> None:
    """/metrics exposed next to the public routes."""
    rule = of_kind(docs, "Ingress")[0]["spec"]["rules"][0]
    rule["http"]["paths"].append({**rule["http"]["paths"][0], "path": "/metrics", "pathType": "Exact"})


def open_https(docs: list[Doc]) -> None:
    """HTTPS to the whole internet for Gemini."""
    _named(docs, "NetworkPolicy", "medqa-allow-egress")["spec"]["egress"].append(
        {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": 443, "protocol": "TCP"}]}
    )


def l4_dns(docs: list[Doc]) -> None:
    """DNS allowed by a plain NetworkPolicy, which bypasses Cilium's DNS proxy."""
    dns = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}
    _named(docs, "NetworkPolicy", "medqa-allow-egress")["spec"]["egress"].append(
        {"to": [dns], "ports": [{"port": 53, "protocol": "UDP"}]}
    )


def dns_without_rule(docs: list[Doc]) -> None:
    """The kube-dns rule without rules.dns: the FQDN rules would never learn an address."""
    for rule in of_kind(docs, "CiliumNetworkPolicy")[0]["spec"]["egress"]:
        for ports in rule.get("toPorts", []):
            ports.pop("rules", None)


def csi_driver(docs: list[Doc]) -> None:
    """The Secrets Store CSI driver: a SecretProviderClass and the volume every pod mounted."""
    docs.append(
        {
            "apiVersion": "secrets-store.csi.x-k8s.io/v1",
            "kind": "SecretProviderClass",
            "metadata": {"name": "medqa-keyvault"},
        }
    )
    spec = pod_template(of_kind(docs, "Deployment")[0])["spec"]
    spec["volumes"].append({"name": "secrets-store", "csi": {"driver": "secrets-store.csi.k8s.io"}})


def service_monitor(docs: list[Doc]) -> None:
    """A ServiceMonitor for kube-prometheus-stack, which the Managed Prometheus does not read."""
    docs.append({"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": {"name": "medqa"}})


def no_scrape_annotation(docs: list[Doc]) -> None:
    """API pods without the scrape annotations."""
    pod_template(of_kind(docs, "Deployment")[0])["metadata"].pop("annotations")


def unwired_vault(docs: list[Doc]) -> None:
    """A field components/wiring did not reach."""
    of_kind(docs, "SecretStore")[0]["spec"]["provider"]["azurekv"]["vaultUrl"] = "https://wiring.invalid/"


def wiring_deployed(docs: list[Doc]) -> None:
    """The local-config wiring ConfigMap rendered as an object."""
    docs.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "medqa-wiring"}, "data": {}})


def unexplained_ignore(docs: list[Doc]) -> None:
    """A kube-score check ignored with no reason beside it."""
    notes = of_kind(docs, "Deployment")[0]["metadata"]["annotations"]
    notes.pop("kube-score.medqa.io/container-image-pull-policy")
