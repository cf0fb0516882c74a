"""The contract between the layers: Terraform, Argo CD, Pulumi and the placeholders against the wiring."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from contract_layers import Overlay, TerraformPlan

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


def get_path(obj: dict[str, Any], *path: str | int) -> Any:
    value: Any = obj
    for step in path:
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def route_prefix(template: str) -> str:
    """The literal first segment of a route template (`/questions/{id}` -> `/questions`)."""
    head = template.split("{", 1)[0].rstrip("/")
    return "/" + head.strip("/").split("/")[0] if head.strip("/") else "/"


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
    # The migration Job's identity administers PostgreSQL; the service's identity must not (it only gets DML).
    admins = plan.resources_of("azurerm_postgresql_flexible_server_active_directory_administrator")
    service_admins = [r.get("principal_name") for r in admins if r.get("principal_type") == "ServicePrincipal"]
    expect(
        "MIGRATE_POSTGRES_USER",
        "azurerm_postgresql_flexible_server_active_directory_administrator.principal_name (ServicePrincipal)",
        service_admins,
    )
    names = [r.get("principal_name") for r in admins]
    if known.get("POSTGRES_USER") in names:
        found.append(
            Mismatch(
                env,
                "POSTGRES_USER",
                f"{plan.root} azurerm_postgresql_flexible_server_active_directory_administrator.principal_name",
                names,
                f"{producer} (the service's role is not an administrator)",
                known["POSTGRES_USER"],
            )
        )
    expect(
        "POSTGRES_DATABASE",
        "azurerm_postgresql_flexible_server_database.name",
        [r.get("name") for r in plan.resources_of("azurerm_postgresql_flexible_server_database")],
    )
    subjects = [r.get("subject") for r in plan.resources_of("azurerm_federated_identity_credential")]
    for key in ("SERVICE_ACCOUNT", "MIGRATE_SERVICE_ACCOUNT"):
        subject = f"system:serviceaccount:{known.get('NAMESPACE')}:{known.get(key)}"
        if subject not in subjects:
            found.append(
                Mismatch(
                    env,
                    key,
                    f"{plan.root} azurerm_federated_identity_credential.subject",
                    subjects,
                    producer,
                    subject,
                )
            )
    prefixes = {route_prefix(r) for r in public_routes} | set(public_routes)
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
    if env not in _selected_environments(objects):
        found.append(
            Mismatch(
                env,
                "ENVIRONMENT",
                "ApplicationSet medqa cluster generator (medqa.io/environment In ...)",
                sorted(_selected_environments(objects)),
                f"{overlay.directory.name}/platform.env",
                w.get("ENVIRONMENT"),
            )
        )
    return found


def _selected_environments(objects: list[dict[str, Any]]) -> set[str]:
    """The environments the medqa ApplicationSet's cluster generator selects, if it renders overlays."""
    selected: set[str] = set()
    for appset in (o for o in objects if o.get("kind") == "ApplicationSet" and o["metadata"]["name"] == "medqa"):
        path = str(get_path(appset, "spec", "template", "spec", "source", "path") or "")
        if not path.startswith("gitops/kustomize/overlays/"):
            continue
        for generator in get_path(appset, "spec", "generators") or []:
            for expression in get_path(generator, "clusters", "selector", "matchExpressions") or []:
                if expression.get("key") == "medqa.io/environment" and expression.get("operator") == "In":
                    selected |= set(expression.get("values") or [])
    return selected


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
        namespaces = [d.get("namespace", "") for d in get_path(project, "spec", "destinations") or []]
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
