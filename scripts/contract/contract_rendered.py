"""The contract inside an overlay: the rendered objects and the app's settings and routes use the wiring."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

from contract_checks import CLUSTER_SCOPED, Mismatch, get_path, route_prefix
from contract_layers import Overlay

POD_KINDS = ("Deployment", "Job", "CronJob")


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


def runs_migrate(spec: dict[str, Any]) -> bool:
    """True when a pod spec's container runs `medqa migrate` (the image's entry point takes the command)."""
    return any("migrate" in (c.get("args") or [])[:1] for c in spec.get("containers") or [])


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
    # The service's account and the migration Job's: each its own identity (docs/platform-contract.md).
    for prefix in ("", "MIGRATE_"):
        name = w.get(f"{prefix}SERVICE_ACCOUNT")
        accounts = overlay.find("ServiceAccount", name)
        expect(f"{prefix}SERVICE_ACCOUNT", "ServiceAccount", [a["metadata"]["name"] for a in accounts] or None, [name])
        for account in accounts:
            notes = account["metadata"].get("annotations") or {}
            expect(
                f"{prefix}WORKLOAD_IDENTITY_CLIENT_ID",
                f"ServiceAccount/{name} annotation azure.workload.identity/client-id",
                notes.get("azure.workload.identity/client-id"),
                w.get(f"{prefix}WORKLOAD_IDENTITY_CLIENT_ID"),
            )
            if "azure.workload.identity/tenant-id" in notes:
                expect(
                    "TENANT_ID",
                    f"ServiceAccount/{name} annotation azure.workload.identity/tenant-id",
                    notes["azure.workload.identity/tenant-id"],
                    w.get("TENANT_ID"),
                )
    for where, template in pod_templates(overlay):
        spec = template.get("spec") or {}
        # Only the pod that runs `medqa migrate` logs in as the PostgreSQL administrator.
        key = "MIGRATE_SERVICE_ACCOUNT" if runs_migrate(spec) else "SERVICE_ACCOUNT"
        expect(key, f"{where} serviceAccountName", spec.get("serviceAccountName"), w.get(key))
        label = get_path(template, "metadata", "labels", "azure.workload.identity/use")
        expect("SERVICE_ACCOUNT", f"{where} pod label azure.workload.identity/use", label, "true")
        for container in spec.get("containers") or []:
            image = str(container.get("image", ""))
            expect("ACR_LOGIN_SERVER", f"{where} image", image.split("/", 1)[0], w.get("ACR_LOGIN_SERVER"))
    for store in overlay.find("SecretStore"):
        provider = get_path(store, "spec", "provider", "azurekv") or {}
        expect(
            "KEY_VAULT_URL",
            f"SecretStore/{store['metadata']['name']} vaultUrl",
            provider.get("vaultUrl"),
            w.get("KEY_VAULT_URL"),
        )
        account = get_path(provider, "serviceAccountRef", "name")
        expect(
            "SERVICE_ACCOUNT",
            f"SecretStore/{store['metadata']['name']} serviceAccountRef",
            account,
            w.get("SERVICE_ACCOUNT"),
        )
    keys = [
        get_path(d, "remoteRef", "key")
        for es in overlay.find("ExternalSecret")
        for d in get_path(es, "spec", "data") or []
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
        for rule in get_path(policy, "spec", "egress") or []:
            ports = {p.get("port") for p in rule.get("ports") or []}
            if 5432 in ports:
                used += [get_path(peer, "ipBlock", "cidr") for peer in rule.get("to") or []]
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
    found.extend(_check_migration_env(env, overlay, wiring))
    found.extend(_check_routes(env, overlay, public_routes))
    return found


def _check_migration_env(env: str, overlay: Overlay, wiring: str) -> list[Mismatch]:
    """The migration Job logs in as MIGRATE_POSTGRES_USER and grants POSTGRES_USER, by the app's own variables."""
    from app.migrate import APP_ROLE_VARIABLE, MIGRATE_USER_VARIABLE

    w, found = overlay.wiring, []
    jobs = [(where, t) for where, t in pod_templates(overlay) if runs_migrate(t.get("spec") or {})]
    if not jobs:
        return [Mismatch(env, "MIGRATE_POSTGRES_USER", "a pod running `medqa migrate`", None, wiring, "one")]
    for where, template in jobs:
        for container in (c for c in template["spec"]["containers"] if "migrate" in (c.get("args") or [])[:1]):
            values = {e.get("name"): e.get("value") for e in container.get("env") or []}
            for key, variable in (
                ("MIGRATE_POSTGRES_USER", MIGRATE_USER_VARIABLE),
                ("POSTGRES_USER", APP_ROLE_VARIABLE),
            ):
                if values.get(variable) != w.get(key):
                    found.append(
                        Mismatch(env, key, f"{where} env {variable}", values.get(variable), wiring, w.get(key))
                    )
    return found


def _check_routes(env: str, overlay: Overlay, public_routes: list[str]) -> list[Mismatch]:
    paths: dict[str, str] = {}
    for ing in overlay.find("Ingress"):
        for rule in get_path(ing, "spec", "rules") or []:
            for p in get_path(rule, "http", "paths") or []:
                paths[p["path"]] = p.get("pathType", "")
    wanted = sorted({route_prefix(r) for r in public_routes})
    routed = sorted(paths)
    if routed != wanted:
        return [Mismatch(env, "ROUTES", "Ingress paths", routed, "app.asgi.public_routes()", wanted)]
    return []
