"""What matters in every rendered overlay: pinned images, limits, probes, restricted pods, PDB+HPA, ..."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.platform.gitops.conftest import KUSTOMIZE, OVERLAYS
from tests.platform.gitops.policies import (
    POLICIES,
    Doc,
    container_env,
    of_kind,
    pod_template,
    ref,
    webhook_env,
    workloads,
)


@pytest.mark.parametrize("policy", sorted(POLICIES))
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_satisfies(rendered: dict[str, list[Doc]], overlay: str, policy: str) -> None:
    """Each policy finds nothing to report in each overlay."""
    assert POLICIES[policy](rendered[overlay]) == []


def test_every_environment_has_an_overlay() -> None:
    """dev, staging and prod exist (Argo CD's ApplicationSet creates one Application per overlay)."""
    assert OVERLAYS == ["dev", "prod", "staging"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_only_holds_deltas(overlay: str) -> None:
    """An overlay builds on the base alone and adds no resource of its own."""
    kustomization = yaml.safe_load((KUSTOMIZE / "overlays" / overlay / "kustomization.yaml").read_text())
    assert kustomization["resources"] == ["../../base"]
    assert kustomization["components"] == ["../../components/wiring"]
    assert "bases" not in kustomization and "patchesStrategicMerge" not in kustomization


def test_overlays_render_the_same_objects(rendered: dict[str, list[Doc]]) -> None:
    """Every environment runs the same set of objects (ConfigMap names differ only by their hash)."""

    def names(docs: list[Doc]) -> set[str]:
        return {ref(d).rsplit("-", 1)[0] if d["kind"] == "ConfigMap" else ref(d) for d in docs}

    first, *rest = OVERLAYS
    for other in rest:
        assert names(rendered[other]) == names(rendered[first]), other


def test_environments_differ_where_they_must(rendered: dict[str, list[Doc]]) -> None:
    """Hosts, MEDQA_ENV and Key Vaults are per environment; prod scales widest."""
    hosts = {o: of_kind(rendered[o], "Ingress")[0]["spec"]["rules"][0]["host"] for o in OVERLAYS}
    assert len(set(hosts.values())) == len(OVERLAYS)
    for overlay in OVERLAYS:
        config = of_kind(rendered[overlay], "ConfigMap")[0]["data"]
        assert config["MEDQA_ENV"] == overlay
        assert config["MEDQA_AUTO_MIGRATE"] == "false"  # the Job migrates, never the serving pods
        store = of_kind(rendered[overlay], "SecretStore")[0]
        assert store["spec"]["provider"]["azurekv"]["vaultUrl"] == f"https://kvmedqa{overlay}weu.vault.azure.net/"
    hpa = {o: of_kind(rendered[o], "HorizontalPodAutoscaler")[0]["spec"] for o in OVERLAYS}
    assert hpa["prod"]["minReplicas"] >= 2 and hpa["prod"]["maxReplicas"] >= max(h["maxReplicas"] for h in hpa.values())


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_checkov_skip_is_justified(rendered: dict[str, list[Doc]], overlay: str) -> None:
    """checkov skips exist only inline, as `CHECK_ID=<a real sentence>`; nothing is skipped silently."""
    for doc in rendered[overlay]:
        for key, value in (doc["metadata"].get("annotations") or {}).items():
            if key.startswith("checkov.io/skip"):
                check, _, reason = value.partition("=")
                assert check.startswith("CKV") and len(reason.split()) >= 8, f"{ref(doc)}: {key}: {value!r}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_config_is_accepted_by_the_service(
    rendered: dict[str, list[Doc]], overlay: str, tmp_path: Path
) -> None:
    """app.settings parses the exact environment of every MedQA container (serve, migrate, purge).

    The AKS workload identity webhook adds its variables at admission to pods labelled
    azure.workload.identity/use, so the test adds them as the webhook would (the token file is a stand-in).
    """
    from app.settings import Settings

    token = tmp_path / "azure-identity-token"
    token.write_text("federated-token")
    for doc, spec in workloads(rendered[overlay]):
        labels = pod_template(doc)["metadata"].get("labels") or {}
        assert labels.get("azure.workload.identity/use") == "true", ref(doc)
        webhook = webhook_env(rendered[overlay], spec, str(token))
        for container in spec["containers"]:
            settings = Settings.from_env(container_env(rendered[overlay], container) | webhook)
            assert settings.env == overlay and settings.is_postgres, ref(doc)
            assert not settings.demo_mode and settings.host == "0.0.0.0"  # noqa: S104 (a pod listens on its own IP)
