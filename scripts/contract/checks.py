"""The contract between the layers: each check compares what one layer consumes with what the one before makes."""

from __future__ import annotations

import fnmatch
import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml
from layers import Overlay, TerraformPlan

POD_KINDS = ("Deployment", "Job", "CronJob")
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "ClusterIssuer", "ClusterSecretStore"}


@dataclass(frozen=True)
class Mismatch:
    """One name that a consumer uses and its producer does not make (or makes differently)."""

    environment: str
    key: str
    consumer: str
    consumed: object
    producer: str
    produced: object

    def __str__(self) -> str:
        return (
            f"{self.environment} {self.key}: {self.consumer} uses {self.consumed!r}, "
            f"but {self.producer} makes {self.produced!r}"
        )


def pod_templates(overlay: Overlay) -> Iterator[tuple[str, dict[str, Any]]]:
    """(kind/name, pod template) of every workload in the overlay."""
    for obj in overlay.objects:
        kind, spec = obj.get("kind"), obj.get("spec") or {}
        if kind == "CronJob":
            template = spec["jobTemplate"]["spec"]["template"]
        elif kind in POD_KINDS:
            template = spec["template"]
        else:
            continue
        yield f"{kind}/{obj['metadata']['name']}", template


def check_wiring(env: str, overlay: Overlay, plan: TerraformPlan, apply_time: set[str]) -> list[Mismatch]:
    """platform.env holds exactly the keys of Terraform's gitops_wiring, with Terraform's plan-time values.

    Keys known only after apply (unknown in the plan, or listed in gitops/placeholders.yaml because the
    mocks stand in for them) are compared by check_placeholders instead.
    """
    known, unknown = plan.wiring()
    wiring_file = f"{overlay.directory.name}/platform.env"
    producer = f"{plan.root} output gitops_wiring"
    found = []
    for key in sorted(set(known) | unknown):
        if key not in overlay.wiring:
            found.append(Mismatch(env, key, wiring_file, None, producer, known.get(key, "(set at apply)")))
        elif key in known and key not in apply_time and overlay.wiring[key] != known[key]:
            found.append(Mismatch(env, key, wiring_file, overlay.wiring[key], producer, known[key]))
    found.extend(
        Mismatch(env, key, wiring_file, overlay.wiring[key], producer, None)
        for key in sorted(set(overlay.wiring) - set(known) - unknown)
    )
    return found


def _get(obj: dict[str, Any], *path: str | int) -> Any:
    value: Any = obj
    for step in path:
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def check_rendered(env: str, overlay: Overlay) -> list[Mismatch]:
    """Every rendered object uses the names of platform.env."""
    w, found = overlay.wiring, []
    wiring = f"{overlay.directory.name}/platform.env"

    def expect(key: str, where: str, used: object, wanted: object) -> None:
        if used != wanted:
            found.append(Mismatch(env, key, where, used, wiring, wanted))

    for obj in overlay.objects:
        if obj["kind"] == "Namespace":
            expect("NAMESPACE", "Namespace", obj["metadata"]["name"], w.get("NAMESPACE"))
        elif obj["kind"] not in CLUSTER_SCOPED:
            expect(
                "NAMESPACE",
                f"{obj['kind']}/{obj['metadata']['name']}",
                obj["metadata"].get("namespace"),
                w.get("NAMESPACE"),
            )
    accounts = overlay.find("ServiceAccount", w.get("SERVICE_ACCOUNT"))
    expect(
        "SERVICE_ACCOUNT",
        "ServiceAccount",
        [a["metadata"]["name"] for a in accounts] or None,
        [w.get("SERVICE_ACCOUNT")],
    )
    for account in accounts:
        notes = account["metadata"].get("annotations") or {}
        expect(
            "WORKLOAD_IDENTITY_CLIENT_ID",
            "ServiceAccount annotation azure.workload.identity/client-id",
            notes.get("azure.workload.identity/client-id"),
            w.get("WORKLOAD_IDENTITY_CLIENT_ID"),
        )
        if "azure.workload.identity/tenant-id" in notes:
            expect(
                "TENANT_ID",
                "ServiceAccount annotation azure.workload.identity/tenant-id",
                notes["azure.workload.identity/tenant-id"],
                w.get("TENANT_ID"),
            )
    for where, template in pod_templates(overlay):
        spec = template.get("spec") or {}
        expect(
            "SERVICE_ACCOUNT", f"{where} serviceAccountName", spec.get("serviceAccountName"), w.get("SERVICE_ACCOUNT")
        )
        label = _get(template, "metadata", "labels", "azure.workload.identity/use")
        expect("SERVICE_ACCOUNT", f"{where} pod label azure.workload.identity/use", label, "true")
        for container in spec.get("containers") or []:
            image = str(container.get("image", ""))
            expect("ACR_LOGIN_SERVER", f"{where} image", image.split("/", 1)[0], w.get("ACR_LOGIN_SERVER"))
    for store in overlay.find("SecretStore"):
        provider = _get(store, "spec", "provider", "azurekv") or {}
        expect(
            "KEY_VAULT_URL",
            f"SecretStore/{store['metadata']['name']} vaultUrl",
            provider.get("vaultUrl"),
            w.get("KEY_VAULT_URL"),
        )
        account = _get(provider, "serviceAccountRef", "name")
        expect(
            "SERVICE_ACCOUNT",
            f"SecretStore/{store['metadata']['name']} serviceAccountRef",
            account,
            w.get("SERVICE_ACCOUNT"),
        )
    keys = [
        _get(d, "remoteRef", "key") for es in overlay.find("ExternalSecret") for d in _get(es, "spec", "data") or []
    ]
    if w.get("GEMINI_SECRET_NAME") not in keys:
        found.append(
            Mismatch(
                env, "GEMINI_SECRET_NAME", "ExternalSecret remoteRef keys", keys, wiring, w.get("GEMINI_SECRET_NAME")
            )
        )
    found.extend(_check_ingress(env, overlay, wiring))
    found.extend(_check_egress(env, overlay, wiring))
    return found


def _check_ingress(env: str, overlay: Overlay, wiring: str) -> list[Mismatch]:
    w, found = overlay.wiring, []
    ingresses = overlay.find("Ingress")
    if not ingresses:
        return [Mismatch(env, "PUBLIC_HOST", "Ingress", None, wiring, w.get("PUBLIC_HOST"))]
    for ing in ingresses:
        spec = ing.get("spec") or {}
        where = f"Ingress/{ing['metadata']['name']}"
        if spec.get("ingressClassName") != w.get("INGRESS_CLASS"):
            found.append(
                Mismatch(env, "INGRESS_CLASS", where, spec.get("ingressClassName"), wiring, w.get("INGRESS_CLASS"))
            )
        hosts = sorted({r.get("host") for r in spec.get("rules") or []})
        if hosts != [w.get("PUBLIC_HOST")]:
            found.append(Mismatch(env, "PUBLIC_HOST", f"{where} rules", hosts, wiring, w.get("PUBLIC_HOST")))
        tls_hosts = {h for t in spec.get("tls") or [] for h in t.get("hosts") or []}
        for key in ("PUBLIC_HOST", "ORIGIN_HOST"):
            if w.get(key) not in tls_hosts:
                found.append(Mismatch(env, key, f"{where} tls hosts", sorted(tls_hosts), wiring, w.get(key)))
        secrets = sorted({t.get("secretName") for t in spec.get("tls") or []})
        if secrets != [w.get("TLS_SECRET")]:
            found.append(Mismatch(env, "TLS_SECRET", f"{where} tls secretName", secrets, wiring, w.get("TLS_SECRET")))
    return found


def _check_egress(env: str, overlay: Overlay, wiring: str) -> list[Mismatch]:
    cidr = overlay.wiring.get("POSTGRES_SUBNET_CIDR")
    used = []
    for policy in overlay.find("NetworkPolicy"):
        for rule in _get(policy, "spec", "egress") or []:
            ports = {p.get("port") for p in rule.get("ports") or []}
            if 5432 in ports:
                used += [_get(peer, "ipBlock", "cidr") for peer in rule.get("to") or []]
    if used != [cidr]:
        return [Mismatch(env, "POSTGRES_SUBNET_CIDR", "NetworkPolicy egress on 5432", used, wiring, cidr)]
    return []


def check_app_config(env: str, overlay: Overlay, public_routes: list[str]) -> list[Mismatch]:
    """The app's settings (the rendered medqa-config) and routes agree with the wiring and the Ingress."""
    w, c, found = overlay.wiring, overlay.config, []
    wiring = f"{overlay.directory.name}/platform.env"
    where = f"{overlay.directory.name}/config.env"
    url = urlsplit(c.get("MEDQA_DATABASE_URL", ""))
    pairs = [
        ("POSTGRES_HOST", "MEDQA_DATABASE_URL host", url.hostname),
        ("POSTGRES_USER", "MEDQA_DATABASE_URL user", url.username),
        ("POSTGRES_DATABASE", "MEDQA_DATABASE_URL database", url.path.lstrip("/") or None),
        ("FRONT_DOOR_ID", "MEDQA_FRONT_DOOR_ID", c.get("MEDQA_FRONT_DOOR_ID")),
    ]
    for key, what, used in pairs:
        if used != w.get(key):
            found.append(Mismatch(env, key, f"{where} {what}", used, wiring, w.get(key)))
    if url.password:
        found.append(
            Mismatch(env, "POSTGRES_USER", f"{where} MEDQA_DATABASE_URL", "a password", wiring, "an Entra token")
        )
    if c.get("MEDQA_DATABASE_AUTH") != "entra" or parse_qs(url.query).get("sslmode") != ["require"]:
        found.append(
            Mismatch(
                env,
                "POSTGRES_HOST",
                f"{where} MEDQA_DATABASE_AUTH/sslmode",
                (c.get("MEDQA_DATABASE_AUTH"), url.query),
                "docs/platform-contract.md",
                ("entra", "sslmode=require"),
            )
        )
    trusted = [ipaddress.ip_network(p.strip()) for p in c.get("MEDQA_TRUSTED_PROXIES", "").split(",") if p.strip()]
    pod_cidr = ipaddress.ip_network(w.get("POD_CIDR", "0.0.0.0/32"))
    if not any(pod_cidr.subnet_of(t) for t in trusted if t.version == pod_cidr.version):
        found.append(
            Mismatch(
                env, "POD_CIDR", f"{where} MEDQA_TRUSTED_PROXIES", c.get("MEDQA_TRUSTED_PROXIES"), wiring, str(pod_cidr)
            )
        )
    found.extend(_check_routes(env, overlay, public_routes))
    return found


def _route_prefix(template: str) -> str:
    """The literal first segment of a route template (`/questions/{id}` -> `/questions`)."""
    head = template.split("{", 1)[0].rstrip("/")
    return "/" + head.strip("/").split("/")[0] if head.strip("/") else "/"


def _check_routes(env: str, overlay: Overlay, public_routes: list[str]) -> list[Mismatch]:
    paths: dict[str, str] = {}
    for ing in overlay.find("Ingress"):
        for rule in _get(ing, "spec", "rules") or []:
            for p in _get(rule, "http", "paths") or []:
                paths[p["path"]] = p.get("pathType", "")
    wanted = sorted({_route_prefix(r) for r in public_routes})
    routed = sorted(paths)
    if routed != wanted:
        return [Mismatch(env, "ROUTES", "Ingress paths", routed, "app.asgi.public_routes()", wanted)]
    return []


def check_terraform_resources(env: str, plan: TerraformPlan, public_routes: list[str]) -> list[Mismatch]:
    """Terraform's own resources make the names its gitops_wiring output promises."""
    known, _ = plan.wiring()
    producer = f"{plan.root} output gitops_wiring"
    found = []

    def expect(key: str, resource: str, values: list[object]) -> None:
        if known.get(key) is not None and known[key] not in values:
            found.append(Mismatch(env, key, f"{plan.root} {resource}", values, producer, known[key]))

    expect(
        "ORIGIN_HOST",
        "azurerm_cdn_frontdoor_origin.host_name",
        [r.get("host_name") for r in plan.resources_of("azurerm_cdn_frontdoor_origin")],
    )
    expect(
        "PUBLIC_HOST",
        "azurerm_cdn_frontdoor_origin.origin_host_header",
        [r.get("origin_host_header") for r in plan.resources_of("azurerm_cdn_frontdoor_origin")],
    )
    expect(
        "PUBLIC_HOST",
        "azurerm_cdn_frontdoor_custom_domain.host_name",
        [r.get("host_name") for r in plan.resources_of("azurerm_cdn_frontdoor_custom_domain")],
    )
    expect(
        "POSTGRES_USER",
        "azurerm_postgresql_flexible_server_active_directory_administrator.principal_name",
        [
            r.get("principal_name")
            for r in plan.resources_of("azurerm_postgresql_flexible_server_active_directory_administrator")
        ],
    )
    expect(
        "POSTGRES_DATABASE",
        "azurerm_postgresql_flexible_server_database.name",
        [r.get("name") for r in plan.resources_of("azurerm_postgresql_flexible_server_database")],
    )
    subject = f"system:serviceaccount:{known.get('NAMESPACE')}:{known.get('SERVICE_ACCOUNT')}"
    subjects = [r.get("subject") for r in plan.resources_of("azurerm_federated_identity_credential")]
    if subject not in subjects:
        found.append(
            Mismatch(
                env,
                "SERVICE_ACCOUNT",
                f"{plan.root} azurerm_federated_identity_credential.subject",
                subjects,
                producer,
                subject,
            )
        )
    prefixes = {_route_prefix(r) for r in public_routes} | set(public_routes)
    for group in plan.resources_of("azurerm_cdn_frontdoor_origin_group"):
        for probe in group.get("health_probe") or []:
            if probe.get("path") not in prefixes:
                found.append(
                    Mismatch(
                        env,
                        "ROUTES",
                        f"{plan.root} Front Door health probe path",
                        probe.get("path"),
                        "app.asgi.public_routes()",
                        sorted(prefixes),
                    )
                )
    return found


def check_argocd(env: str, overlay: Overlay, objects: list[dict[str, Any]]) -> list[Mismatch]:
    """The medqa AppProject admits the overlay's namespace and kinds; the ApplicationSet selects the environment."""
    w, found = overlay.wiring, []
    project = next((o for o in objects if o.get("kind") == "AppProject" and o["metadata"]["name"] == "medqa"), None)
    if project is None:
        return [Mismatch(env, "NAMESPACE", "gitops/argocd", None, "AppProject medqa", "missing")]
    where = f"{project['_file']} destinations"
    # The cluster registration of each long-lived environment is named after it (modules/argocd_bootstrap).
    destinations = project["spec"].get("destinations") or []
    namespaces = [f"{d.get('name', d.get('server'))}/{d.get('namespace', '')}" for d in destinations]
    if not any(
        fnmatch.fnmatchcase(env, d.get("name", "*"))
        and fnmatch.fnmatchcase(w.get("NAMESPACE", ""), d.get("namespace", ""))
        for d in destinations
    ):
        found.append(
            Mismatch(env, "NAMESPACE", where, namespaces, f"{overlay.directory.name}/platform.env", w.get("NAMESPACE"))
        )
    admitted = {(k.get("group", ""), k.get("kind")) for k in project["spec"].get("namespaceResourceWhitelist") or []}
    cluster = {(k.get("group", ""), k.get("kind")) for k in project["spec"].get("clusterResourceWhitelist") or []}
    for obj in overlay.objects:
        group = obj["apiVersion"].split("/")[0] if "/" in obj["apiVersion"] else ""
        pool = cluster if obj["kind"] in CLUSTER_SCOPED else admitted
        if pool and (group, obj["kind"]) not in pool and ("*", "*") not in pool:
            found.append(
                Mismatch(
                    env,
                    "KINDS",
                    f"{project['_file']} resource whitelist",
                    sorted(k for _, k in pool),
                    f"overlay {overlay.directory.name}",
                    f"{group}/{obj['kind']}",
                )
            )
    sets = [o for o in objects if o.get("kind") == "ApplicationSet" and o["metadata"]["name"] == "medqa"]
    text = yaml.safe_dump([{k: v for k, v in s.items() if k != "_file"} for s in sets])
    if env not in text or "gitops/kustomize/overlays/" not in text:
        found.append(
            Mismatch(
                env,
                "ENVIRONMENT",
                "ApplicationSet medqa generators",
                None,
                f"{overlay.directory.name}/platform.env",
                w.get("ENVIRONMENT"),
            )
        )
    return found


def check_placeholders(env: str, overlay: Overlay, plan: TerraformPlan, listed: list[Any]) -> list[Mismatch]:
    """Every apply-time wiring value is a listed placeholder whose source Terraform produces, or a real value."""
    _, unknown = plan.wiring()
    found = []
    wiring_file = f"gitops/kustomize/overlays/{overlay.directory.name}/platform.env"
    mine = {e.key: e for e in listed if e.file == wiring_file}
    for key in sorted(unknown | set(mine)):
        entry = mine.get(key)
        if entry is None:
            if set(overlay.wiring.get(key, "0")) <= set("0-"):
                found.append(
                    Mismatch(env, key, wiring_file, overlay.wiring.get(key), "gitops/placeholders.yaml", "an entry")
                )
            continue
        if entry.output and entry.output not in plan.outputs:
            found.append(
                Mismatch(
                    env,
                    key,
                    "gitops/placeholders.yaml source",
                    entry.output,
                    f"{plan.root} outputs",
                    sorted(plan.outputs),
                )
            )
    return found


def parse_env_text(text: str) -> dict[str, str]:
    """KEY=value lines of a generated env file."""
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line and not line.lstrip().startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def check_pulumi(dev: TerraformPlan, rendered: dict[str, Any], argocd: list[dict[str, Any]]) -> list[Mismatch]:
    """Pulumi reads only outputs the dev root makes, and writes overlays of the same shape as Terraform's wiring."""
    found = [
        Mismatch("pulumi", name, "platform/pulumi components/core.py", name, f"{dev.root} outputs", None)
        for name in rendered["inputs"]
        if name not in dev.outputs
    ]
    known, unknown = dev.wiring()
    shared_keys = ("ACR_LOGIN_SERVER", "POD_CIDR", "POSTGRES_HOST", "POSTGRES_SUBNET_CIDR", "KEY_VAULT_URL")
    for stack, result in rendered["stacks"].items():
        name = Path(stack).name.removeprefix("Pulumi.").removesuffix(".yaml")
        files = result["files"]
        env_file = f"gitops/kustomize/overlays/{name}/platform.env"
        wiring = parse_env_text(files.get(env_file, ""))
        for key in sorted((set(known) | unknown) ^ set(wiring)):
            found.append(
                Mismatch(
                    name, key, f"pulumi {env_file}", wiring.get(key), f"{dev.root} output gitops_wiring", known.get(key)
                )
            )
        meta = yaml.safe_load(files.get(f"gitops/kustomize/overlays/{name}/environment.yaml", "")) or {}
        if meta.get("shape") == "shared-cluster":
            for key in shared_keys:
                if key in wiring and wiring[key] != known.get(key):
                    found.append(
                        Mismatch(
                            name,
                            key,
                            f"pulumi {env_file}",
                            wiring[key],
                            f"{dev.root} (the shared core)",
                            known.get(key),
                        )
                    )
        project = next((o for o in argocd if o.get("kind") == "AppProject" and o["metadata"]["name"] == "medqa"), {})
        namespaces = [d.get("namespace", "") for d in _get(project, "spec", "destinations") or []]
        if not any(fnmatch.fnmatchcase(wiring.get("NAMESPACE", ""), p) for p in namespaces):
            found.append(
                Mismatch(
                    name,
                    "NAMESPACE",
                    "AppProject medqa destinations",
                    namespaces,
                    f"pulumi {env_file}",
                    wiring.get("NAMESPACE"),
                )
            )
    return found
