"""The overlays agree with the platform contract: platform.env, config.env, Terraform's subnets, placeholders."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.platform.gitops.conftest import KUSTOMIZE, OVERLAYS, REPO
from tests.platform.gitops.policies import Doc, of_kind, workloads
from tests.platform.gitops.sources import (
    config_agrees_with_wiring,
    index_paths,
    parse_env,
    platform_env_problems,
    postgres_subnet,
)

# docs/platform-contract.md: the address space of each environment's virtual network.
ADDRESS_SPACES = {"dev": "10.20.0.0/20", "staging": "10.40.0.0/20", "prod": "10.30.0.0/20"}
PLACEHOLDER = re.compile(r"0{8}-0{4}-0{4}-0{4}-0{12}|sha256:0{64}")
TERRAFORM = REPO / "platform" / "terraform" / "environments"


def env_file(overlay: str, name: str) -> dict[str, str]:
    """An overlay's platform.env or config.env as a dict (problems fail the test that reads it)."""
    values, problems = parse_env((KUSTOMIZE / "overlays" / overlay / name).read_text())
    assert problems == [], f"{overlay}/{name}: {problems}"
    return values


@pytest.mark.parametrize("path", sorted(KUSTOMIZE.rglob("kustomization.yaml")), ids=lambda p: str(p.parent.name))
def test_no_list_index_in_patches_or_replacements(path: Path) -> None:
    """Patches match by name (strategic merge) and replacements by key or [field=value], never by position."""
    assert index_paths(yaml.safe_load(path.read_text())) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_platform_env_has_exactly_the_wiring_keys(overlay: str) -> None:
    """platform.env is the Terraform output gitops_wiring: every key of the contract, nothing else."""
    assert platform_env_problems((KUSTOMIZE / "overlays" / overlay / "platform.env").read_text()) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_platform_env_values_follow_the_naming(overlay: str) -> None:
    """Names the contract derives from the environment (hosts, vault, server, identity, registry)."""
    wiring = env_file(overlay, "platform.env")
    assert wiring["ENVIRONMENT"] == overlay and wiring["NAMESPACE"] == wiring["SERVICE_ACCOUNT"] == "medqa"
    assert wiring["PUBLIC_HOST"] == f"{overlay}.medqa.example.com"
    assert wiring["ORIGIN_HOST"] == f"origin.{overlay}.medqa.example.com"
    assert wiring["KEY_VAULT_URL"] == f"https://kvmedqa{overlay}weu.vault.azure.net/"
    assert wiring["POSTGRES_HOST"] == f"psql-medqa-{overlay}-weu.postgres.database.azure.com"
    assert wiring["POSTGRES_USER"] == f"id-medqa-{overlay}-weu"
    assert wiring["MIGRATE_POSTGRES_USER"] == f"id-medqa-{overlay}-weu-migrate"
    assert wiring["MIGRATE_SERVICE_ACCOUNT"] == "medqa-migrate"
    assert wiring["ACR_LOGIN_SERVER"] == "crmedqasharedweu.azurecr.io"
    assert wiring["POSTGRES_SUBNET_CIDR"] == postgres_subnet(ADDRESS_SPACES[overlay])


# The shared root has no network of its own: only the cluster environments have an address space.
@pytest.mark.parametrize("env", sorted(ADDRESS_SPACES))
def test_terraform_address_space_is_the_contracts(env: str) -> None:
    """The overlays' PostgreSQL subnet is derived from the address space Terraform really uses."""
    tfvars = TERRAFORM / env / "terraform.tfvars"
    space = re.search(r'^address_space\s*=\s*"([^"]+)"', tfvars.read_text(), re.M)
    assert space and space.group(1) == ADDRESS_SPACES[env]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_config_env_agrees_with_platform_env(overlay: str) -> None:
    """Entra login without a password, the wiring's proxies and Front Door id, in the service's own settings."""
    assert config_agrees_with_wiring(env_file(overlay, "config.env"), env_file(overlay, "platform.env")) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_rendered_objects_use_the_wiring(rendered: dict[str, list[Doc]], overlay: str) -> None:
    """Namespace, ServiceAccount, registry, hosts, CIDR and vault in the render are platform.env's."""
    wiring, docs = env_file(overlay, "platform.env"), rendered[overlay]
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"} == {wiring["NAMESPACE"]}
    assert sorted(a["metadata"]["name"] for a in of_kind(docs, "ServiceAccount")) == sorted(
        [wiring["SERVICE_ACCOUNT"], wiring["MIGRATE_SERVICE_ACCOUNT"]]
    )
    for _, spec in workloads(docs):
        assert all(c["image"].startswith(wiring["ACR_LOGIN_SERVER"] + "/medqa@sha256:") for c in spec["containers"])
    ingress = of_kind(docs, "Ingress")[0]["spec"]
    assert [r["host"] for r in ingress["rules"]] == [wiring["PUBLIC_HOST"]]
    assert ingress["tls"] == [
        {"hosts": [wiring["PUBLIC_HOST"], wiring["ORIGIN_HOST"]], "secretName": wiring["TLS_SECRET"]}
    ]
    assert ingress["ingressClassName"] == wiring["INGRESS_CLASS"]
    egress = next(p for p in of_kind(docs, "NetworkPolicy") if p["metadata"]["name"] == "medqa-allow-egress")
    assert egress["spec"]["egress"] == [
        {"to": [{"ipBlock": {"cidr": wiring["POSTGRES_SUBNET_CIDR"]}}], "ports": [{"port": 5432, "protocol": "TCP"}]}
    ]
    accounts = {a["metadata"]["name"]: a["metadata"]["annotations"] for a in of_kind(docs, "ServiceAccount")}
    for name, client in (("SERVICE_ACCOUNT", ""), ("MIGRATE_SERVICE_ACCOUNT", "MIGRATE_")):
        account = accounts[wiring[name]]
        assert account["azure.workload.identity/client-id"] == wiring[f"{client}WORKLOAD_IDENTITY_CLIENT_ID"]
        assert account["azure.workload.identity/tenant-id"] == wiring["TENANT_ID"]
    secret = of_kind(docs, "ExternalSecret")[0]["spec"]["data"][0]
    assert secret == {"secretKey": "GEMINI_API_KEY", "remoteRef": {"key": wiring["GEMINI_SECRET_NAME"]}}


def test_a_missing_wiring_key_fails_the_build(tmp_path: Path, tool: Callable[[str], Path]) -> None:
    """components/wiring cannot silently leave a base value: a key missing from platform.env stops kustomize."""
    import shutil

    copy = tmp_path / "kustomize"
    shutil.copytree(KUSTOMIZE, copy)
    env = copy / "overlays" / "dev" / "platform.env"
    env.write_text("".join(line for line in env.read_text().splitlines(True) if not line.startswith("KEY_VAULT_URL=")))
    done = subprocess.run(
        [str(tool("kustomize")), "build", str(env.parent)], capture_output=True, text=True, check=False
    )
    assert done.returncode != 0 and "KEY_VAULT_URL" in done.stderr, done.stderr


def placeholders() -> list[dict[str, str]]:
    """Entries of gitops/placeholders.yaml."""
    return yaml.safe_load((REPO / "gitops" / "placeholders.yaml").read_text())["placeholders"]


def test_every_listed_placeholder_is_still_in_its_file() -> None:
    """No stale entry: each placeholder is where the list says, on the line of its key."""
    for entry in placeholders():
        assert set(entry) == {"file", "key", "placeholder", "source"} and entry["source"].strip(), entry
        text = (REPO / entry["file"]).read_text()
        key = entry["key"].split("[")[0].split(".")[0]
        if entry["file"].endswith(".env"):
            assert f"{key}={entry['placeholder']}\n" in text, entry
        else:
            assert key + ":" in text and entry["placeholder"] in text, entry


def test_every_placeholder_in_the_overlays_is_listed() -> None:
    """Each zero GUID or zero digest in gitops/kustomize is in gitops/placeholders.yaml (and nowhere unlisted)."""
    listed = {(e["file"], e["placeholder"]) for e in placeholders()}
    counted: dict[tuple[str, str], int] = {}
    for path in sorted(p for p in KUSTOMIZE.rglob("*") if p.is_file()):
        for match in PLACEHOLDER.finditer(path.read_text()):
            key = (str(path.relative_to(REPO)), match.group(0))
            counted[key] = counted.get(key, 0) + 1
    assert set(counted) <= listed, sorted(set(counted) - listed)
    per_file = {k: sum(1 for e in placeholders() if (e["file"], e["placeholder"]) == k) for k in counted}
    assert counted == per_file  # as many entries as occurrences: none hides behind another


def kube_score(binary: Path, files: list[Path]) -> subprocess.CompletedProcess[str]:
    """kube-score as scripts/gitops-validate.sh runs it (warnings fail)."""
    args = ["score", "--kubernetes-version", "v1.34", "--output-format", "ci", "--exit-one-on-warning"]
    return subprocess.run([str(binary), *args, *map(str, files)], capture_output=True, text=True, check=False)


def test_kube_score_passes_every_overlay(tool: Callable[[str], Path], rendered_dir: Path) -> None:
    """Every finding is fixed or ignored inline with a reason (the policy `kube-score ignores explained`)."""
    done = kube_score(tool("kube-score"), [rendered_dir / f"{o}.yaml" for o in OVERLAYS])
    findings = [line for line in done.stdout.splitlines() if not line.startswith(("[OK]", "[SKIPPED]"))]
    assert done.returncode == 0 and findings == [], "\n".join(findings) + done.stderr


def test_kube_score_fails_without_the_ignore(tool: Callable[[str], Path], rendered_dir: Path, tmp_path: Path) -> None:
    """The check is live: the dev HPA's single replica is a finding once its explained ignore is dropped."""
    text = (rendered_dir / "dev.yaml").read_text()
    broken = tmp_path / "dev.yaml"
    broken.write_text(text.replace("kube-score/ignore: horizontalpodautoscaler-replicas", "medqa.io/x: dropped"))
    assert broken.read_text() != text
    done = kube_score(tool("kube-score"), [broken])
    assert done.returncode == 1 and "HPA few replicas" in done.stdout, done.stdout + done.stderr


# ---- The source checks catch the state before issue #20.

OLD_DEV_PATCHES = """
patches:
  - target: {kind: Ingress, name: medqa}
    patch: |-
      - op: replace
        path: /spec/tls/0/hosts/0
        value: dev.medqa.example.com
  - target: {kind: NetworkPolicy, name: medqa-allow-egress}
    patch: |-
      - op: replace
        path: /spec/egress/1/to/0/ipBlock/cidr
        value: 10.10.8.0/24
"""


def test_index_paths_catch_the_old_json_patches() -> None:
    """The old overlays' JSON patches by list position are reported, and so is an indexed replacement."""
    assert len(index_paths(yaml.safe_load(OLD_DEV_PATCHES))) == 2
    replacement = {"replacements": [{"targets": [{"select": {}, "fieldPaths": ["spec.rules.0.host"]}]}]}
    assert index_paths(replacement) and not index_paths({"replacements": [{"targets": [{"fieldPaths": ["a.*.b"]}]}]})


def test_platform_env_problems_are_reported() -> None:
    """A missing key, a key outside the contract, a repeated key and a bare line are each named."""
    good = (KUSTOMIZE / "overlays" / "dev" / "platform.env").read_text()
    assert platform_env_problems(good) == []
    assert "missing wiring keys ['TLS_SECRET']" in platform_env_problems(good.replace("TLS_SECRET=", "#"))
    assert "keys outside the contract ['EXTRA']" in platform_env_problems(good + "EXTRA=1\n")
    assert any("given twice" in p for p in platform_env_problems(good + "POD_CIDR=10.0.0.0/8\n"))
    assert any("not KEY=value" in p for p in platform_env_problems(good + "POD_CIDR\n"))


def test_config_check_catches_the_old_config() -> None:
    """The old config.env (MEDQA_ENV only, the URL with its password in a Secret) fails on every contract key."""
    wiring = env_file("dev", "platform.env")
    problems = config_agrees_with_wiring({"MEDQA_ENV": "dev"}, wiring)
    assert {p.split("=")[0] for p in problems} == {
        "config.env MEDQA_DATABASE_AUTH",
        "config.env MEDQA_DATABASE_URL",
        "config.env MEDQA_TRUSTED_PROXIES",
        "config.env MEDQA_FRONT_DOOR_ID",
    }


def test_the_old_postgres_cidrs_are_not_terraforms() -> None:
    """dev's 10.10.8.0/24 and staging's copy of it were never the subnet Terraform carves."""
    assert postgres_subnet("10.20.0.0/20") == "10.20.8.0/27"
    assert "10.10.8.0/24" not in {postgres_subnet(s) for s in ADDRESS_SPACES.values()}
