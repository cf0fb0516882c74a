"""envctl: argument validation, the stack config it hands Pulumi, and the GitOps files it writes or removes."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import envctl
import gitops_files
import pulumi
import pytest
import wiring
import yaml
from pulumi_mocks import CA_DATA, CORE_OUTPUTS, SUBSCRIPTION, TENANT, mock_guid, use_mocks

TODAY = date(2026, 11, 25)
REPO = Path(__file__).resolve().parents[3]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "gitops"
SHARED = ["create", "pr-123", "--shape", "shared-cluster", "--owner", "team-medqa", "--cost-center", "cc-4711"]
SHARED += ["--core-organization", "medqa"]
DEDICATED = ["create", "perf", "--shape", "dedicated", "--owner", "team-medqa", "--cost-center", "cc-4711"]
DEDICATED += ["--core-organization", "medqa", "--cluster", '{"nodeCount": 2, "maxNodeCount": 3}']


class ProgramRunner:
    """Stands in for the Pulumi CLI: runs the real program under mocks with the config envctl hands over."""

    def __init__(self) -> None:
        """Start with no calls."""
        self.ups: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        self.destroyed: list[str] = []

    def up(self, name: str, values: dict[str, Any], secrets: dict[str, str]) -> dict[str, Any]:
        """Build the stack under mocks and return its resolved exports."""
        self.ups.append((name, values, secrets))
        use_mocks(name, {**values, **secrets})
        import config
        import environment

        exported: dict[str, Any] = {}

        def program() -> pulumi.Output[Any]:
            env = environment.build(config.load(TODAY))
            return pulumi.Output.from_input(env.exports).apply(exported.update)

        pulumi.runtime.test(program)()
        return exported

    def destroy(self, name: str) -> None:
        """Record the destroy."""
        self.destroyed.append(name)


def thin_tree() -> Path:
    """The real gitops/ tree once its dev overlay is thin (platform.env), else the stand-in under tests/fixtures."""
    real = REPO / "gitops"
    return real if (real / "kustomize" / "overlays" / "dev" / "platform.env").is_file() else FIXTURE


@pytest.fixture
def gitops_root(tmp_path: Path) -> Path:
    """A throwaway gitops/ tree: a copy of the base, components and dev overlay (never the real tree)."""
    root = tmp_path / "gitops"
    source = thin_tree() / "kustomize"
    for part in ("base", "components", "overlays/dev"):
        shutil.copytree(source / part, root / "kustomize" / part)
    return root


@pytest.fixture
def run(gitops_root: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[int, ProgramRunner]]:
    """Run envctl against the throwaway tree with a Gemini key and no other MEDQA_* defaults in the environment."""
    for variable in ("MEDQA_OWNER", "MEDQA_COST_CENTER", "MEDQA_CORE_ORGANIZATION", "MEDQA_CORE_WORKSPACE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.delenv(envctl.CORE_TOKEN_VARIABLE, raising=False)
    monkeypatch.setenv(envctl.GEMINI_KEY_VARIABLE, "test-gemini-key")

    def invoke(argv: list[str], runner: ProgramRunner | None = None) -> tuple[int, ProgramRunner]:
        used = runner or ProgramRunner()
        status = envctl.main(["--gitops-dir", str(gitops_root), *argv], runner=used, today=TODAY)
        return status, used

    return invoke


def test_create_shared_cluster_hands_pulumi_the_validated_config(run: Callable[..., Any]) -> None:
    """The kind comes from the name, expiry defaults to the kind's limit, the key goes in as a secret."""
    status, runner = run(SHARED)
    assert status == 0
    ((name, values, secrets),) = runner.ups
    assert name == "pr-123"
    assert values == {
        "environment": "preview",
        "shape": "shared-cluster",
        "location": "westeurope",
        "owner": "team-medqa",
        "costCenter": "cc-4711",
        "expiresOn": "2026-12-09",
        "core": {"backend": "remote", "organization": "medqa", "workspace": "medqa-dev"},
    }
    assert secrets == {"geminiApiKey": "test-gemini-key"}


def overlay_files(gitops_root: Path, name: str) -> dict[str, str]:
    """The files of one overlay by name."""
    directory = gitops_root / "kustomize" / "overlays" / name
    return {path.name: path.read_text() for path in sorted(directory.iterdir())}


def env_lines(text: str) -> dict[str, str]:
    """KEY=value lines (comments skipped), in order."""
    pairs = [line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")]
    return dict(pairs)


def test_create_shared_cluster_writes_a_thin_overlay_only(run: Callable[..., Any], gitops_root: Path) -> None:
    """dev's kustomization (base, wiring component, digest, sizes) with its own namespace, wiring and settings."""
    status, _ = run(SHARED)
    assert status == 0
    files = overlay_files(gitops_root, "pr-123")
    dev = overlay_files(gitops_root, "dev")
    assert {"kustomization.yaml", "platform.env", "config.env", "environment.yaml"} <= set(files)
    assert set(files) - {"environment.yaml"} <= set(dev)
    copied = set(files) - gitops_files.GENERATED
    assert {name: files[name] for name in copied} == {name: dev[name] for name in copied}
    header = "# Generated by platform/pulumi/envctl.py for preview environment pr-123 (expires 2026-12-09)"
    assert files["kustomization.yaml"].startswith(header)
    kustomization = yaml.safe_load(files["kustomization.yaml"])
    parent = yaml.safe_load(dev["kustomization.yaml"])
    for key in ("resources", "components", "images", "patches", "configMapGenerator"):
        assert kustomization.get(key) == parent.get(key), key
    assert kustomization["namespace"] == "medqa-pr-123"
    assert kustomization["labels"][-1] == {
        "pairs": {"medqa.io/environment-name": "pr-123"},
        "includeSelectors": False,
    }
    assert not (gitops_root / "argocd").exists()


def test_shared_cluster_platform_env_holds_exactly_the_wiring_keys(run: Callable[..., Any], gitops_root: Path) -> None:
    """platform.env has dev's keys in dev's order (the contract's), with this environment's values."""
    run(SHARED)
    files, dev = overlay_files(gitops_root, "pr-123"), overlay_files(gitops_root, "dev")
    wired = env_lines(files["platform.env"])
    assert list(wired) == list(wiring.KEYS) == list(env_lines(dev["platform.env"]))
    assert (wired["ENVIRONMENT"], wired["NAMESPACE"], wired["GEMINI_SECRET_NAME"]) == (
        "pr-123",
        "medqa-pr-123",
        "pr-123-gemini-api-key",
    )
    assert (wired["POSTGRES_DATABASE"], wired["POSTGRES_USER"]) == ("medqa_pr_123", "id-medqa-preview-weu-pr-123")
    assert (wired["PUBLIC_HOST"], wired["ORIGIN_HOST"]) == (
        "pr-123.medqa.example.com",
        "origin.pr-123.medqa.example.com",
    )
    assert wired["FRONT_DOOR_ID"] == CORE_OUTPUTS["frontdoor_id"]


def test_shared_cluster_config_env_logs_in_with_entra(run: Callable[..., Any], gitops_root: Path) -> None:
    """config.env keeps dev's settings and sets the password-less URL, trusted proxies and Front Door id."""
    run(SHARED)
    settings = env_lines(overlay_files(gitops_root, "pr-123")["config.env"])
    dev = env_lines(overlay_files(gitops_root, "dev")["config.env"])
    own = ("MEDQA_DATABASE_AUTH", "MEDQA_DATABASE_URL", "MEDQA_TRUSTED_PROXIES", "MEDQA_FRONT_DOOR_ID")
    assert {k: v for k, v in settings.items() if k not in own} == {k: v for k, v in dev.items() if k not in own}
    assert settings["MEDQA_DATABASE_AUTH"] == "entra"
    assert settings["MEDQA_DATABASE_URL"] == (
        f"postgres://id-medqa-preview-weu-pr-123@{CORE_OUTPUTS['postgres_fqdn']}:5432/medqa_pr_123?sslmode=require"
    )
    assert (settings["MEDQA_TRUSTED_PROXIES"], settings["MEDQA_FRONT_DOOR_ID"]) == (
        "192.168.0.0/16",
        CORE_OUTPUTS["frontdoor_id"],
    )


@pytest.mark.parametrize(
    ("argv", "name", "expected"),
    [
        (SHARED, "pr-123", ("preview", "shared-cluster", "medqa-pr-123", "dev", "2026-12-09")),
        (DEDICATED, "perf", ("perf", "dedicated", "medqa", "perf", "2026-12-25")),
    ],
)
def test_environment_file_tells_argocd_where_to_deploy(
    run: Callable[..., Any], gitops_root: Path, argv: list[str], name: str, expected: tuple[str, ...]
) -> None:
    """environment.yaml (read by the ApplicationSet's git generator): name, kind, shape, namespace, cluster, expiry."""
    run(argv)
    text = overlay_files(gitops_root, name)["environment.yaml"]
    assert text.startswith("# Generated by platform/pulumi/envctl.py")
    document = yaml.safe_load(text)
    assert list(document) == ["name", "environment", "shape", "namespace", "cluster", "expires_on"]
    assert (document["name"], *document.values()) == (name, name, *expected)


def test_update_replaces_the_overlay_it_wrote(run: Callable[..., Any], gitops_root: Path) -> None:
    """A second create rewrites the files: nothing stale stays behind."""
    run(SHARED)
    stale = gitops_root / "kustomize" / "overlays" / "pr-123" / "old-patch.yaml"
    stale.write_text("{}\n")
    status, _ = run(SHARED)
    assert status == 0
    assert not stale.exists()


def test_create_refuses_to_overwrite_a_hand_written_overlay(
    run: Callable[..., Any], gitops_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An overlay envctl did not write is never replaced."""
    own = gitops_root / "kustomize" / "overlays" / "pr-123"
    own.mkdir(parents=True)
    (own / "kustomization.yaml").write_text("resources: [../dev]\n")
    status, _ = run(SHARED)
    assert status == 2
    assert "was not written by envctl" in capsys.readouterr().err
    assert (own / "kustomization.yaml").read_text() == "resources: [../dev]\n"


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        (
            {"target": {"kind": "Deployment", "name": "medqa"}, "patch": "- op: replace\n  path: /spec/replicas\n"},
            "JSON patch",
        ),
        (None, "is not thin"),
    ],
)
def test_a_dev_overlay_outside_the_thin_shape_is_refused(
    run: Callable[..., Any],
    gitops_root: Path,
    capsys: pytest.CaptureFixture[str],
    patch: dict[str, Any] | None,
    message: str,
) -> None:
    """Index-based JSON patches, or no platform.env, in dev stop the run before anything is written."""
    dev = gitops_root / "kustomize" / "overlays" / "dev"
    if patch is None:
        (dev / "platform.env").unlink()
    else:
        kustomization = yaml.safe_load((dev / "kustomization.yaml").read_text())
        kustomization["patches"] = [*kustomization.get("patches", []), patch]
        (dev / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
    status, _ = run(SHARED)
    assert status == 2
    assert message in capsys.readouterr().err
    assert not (gitops_root / "kustomize" / "overlays" / "pr-123").exists()


def test_create_dedicated_writes_an_overlay_and_an_argocd_cluster_secret(
    run: Callable[..., Any], gitops_root: Path
) -> None:
    """The cluster Secret points Argo CD at the new API server with its own workload identity, no credential."""
    status, _ = run(DEDICATED)
    assert status == 0
    secret = yaml.safe_load((gitops_root / "clusters" / "dev" / "perf.yaml").read_text())
    assert secret["metadata"]["namespace"] == "argocd"
    assert secret["metadata"]["labels"] == {
        "argocd.argoproj.io/secret-type": "cluster",
        "medqa.io/environment": "perf",
        "medqa.io/overlay": "perf",
        "medqa.io/cluster": "perf",
    }
    assert secret["stringData"]["name"] == "perf"
    assert secret["metadata"]["annotations"] == {
        "medqa.io/ingress-ip": "20.0.0.50",
        "medqa.io/ingress-ip-name": "pip-medqa-perf-weu",
        "medqa.io/ingress-ip-resource-group": "rg-medqa-perf-weu",
        "medqa.io/key-vault-url": "https://kvmedqaperfweu.vault.azure.net/",
        "medqa.io/eso-client-id": mock_guid("client/id-medqa-perf-weu-eso"),
        "medqa.io/cert-manager-client-id": mock_guid("client/id-medqa-perf-weu-cert-manager"),
        "medqa.io/kyverno-client-id": mock_guid("client/id-medqa-perf-weu-kyverno"),
        "medqa.io/dns-zone-resource-group": "rg-medqa-shared-weu",
        "medqa.io/dns-zone-subscription-id": SUBSCRIPTION,
        "medqa.io/front-door-backend-cidrs": CORE_OUTPUTS["front_door_backend_cidrs"],
    }
    assert secret["stringData"]["server"] == "https://aks-medqa-perf-weu-dns.hcp.westeurope.azmk8s.io:443"
    cluster_config = json.loads(secret["stringData"]["config"])
    assert cluster_config["tlsClientConfig"] == {"insecure": False, "caData": CA_DATA}
    exec_config = cluster_config["execProviderConfig"]
    assert (exec_config["command"], exec_config["args"]) == ("argocd-k8s-auth", ["azure"])
    assert exec_config["env"]["AAD_LOGIN_METHOD"] == "workloadidentity"
    assert exec_config["env"]["AZURE_CLIENT_ID"] == CORE_OUTPUTS["argocd_client_id"]
    assert exec_config["env"]["AZURE_TENANT_ID"] == TENANT
    assert "bearerToken" not in cluster_config and "password" not in cluster_config
    kustomization = yaml.safe_load((gitops_root / "kustomize" / "overlays" / "perf" / "kustomization.yaml").read_text())
    assert "namespace" not in kustomization
    wired = env_lines(overlay_files(gitops_root, "perf")["platform.env"])
    assert (wired["NAMESPACE"], wired["GEMINI_SECRET_NAME"], wired["POSTGRES_SUBNET_CIDR"]) == (
        "medqa",
        "gemini-api-key",
        "10.50.8.0/27",
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["create", "qa-1", "--shape", "dedicated"], "cannot tell the environment kind from 'qa-1'"),
        ([*SHARED[:1], "PR_1", *SHARED[2:], "--environment", "preview"], "must be 2-12 lower-case"),
        ([*SHARED, "--expires-on", "2027-01-30"], "more than 14 days ahead"),
        ([*SHARED, "--expires-on", "tomorrow"], "expiresOn must be a date in the form YYYY-MM-DD"),
        (["create", "dr", "--shape", "shared-cluster", "--owner", "o", "--cost-center", "c"], "must be dedicated"),
        ([*SHARED[:4], "--cost-center", "cc", "--core-organization", "medqa"], "owner is required"),
        ([*SHARED[:-2]], "core.organization and core.workspace are required"),
        ([*DEDICATED[:-1], '{"nodeCount": 9, "maxNodeCount": 9}'], "cluster.nodeCount must be between 1 and 3"),
        ([*DEDICATED[:-1], "{nodeCount: 2"], "--cluster must be a JSON object"),
        (
            ["create", "staging", "--shape", "dedicated", "--owner", "o", "--cost-center", "c"],
            "environment 'staging' is long-lived: Terraform owns it in platform/terraform/environments/staging",
        ),
    ],
)
def test_invalid_arguments_stop_before_pulumi_runs(
    run: Callable[..., Any], capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """Every refusal exits 2 with the reason and never reaches Pulumi or the gitops tree."""
    status, runner = run(argv)
    assert status == 2
    assert message in capsys.readouterr().err
    assert runner.ups == []


def test_missing_gemini_key_stops_before_pulumi_runs(
    run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The key must come from the environment, never from the command line."""
    monkeypatch.delenv(envctl.GEMINI_KEY_VARIABLE)
    status, runner = run(SHARED)
    assert status == 2
    assert "MEDQA_GEMINI_API_KEY is not set" in capsys.readouterr().err
    assert runner.ups == []


def test_core_token_travels_as_a_secret(run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """An HCP Terraform token from the environment becomes the secret medqa:coreToken."""
    monkeypatch.setenv(envctl.CORE_TOKEN_VARIABLE, "hcp-token")
    status, runner = run(SHARED)
    assert status == 0
    assert runner.ups[0][2] == {"geminiApiKey": "test-gemini-key", "coreToken": "hcp-token"}


def test_unknown_shape_is_refused_by_the_parser(run: Callable[..., Any]) -> None:
    """argparse refuses shapes that do not exist."""
    with pytest.raises(SystemExit) as exit_info:
        run(["create", "pr-1", "--shape", "serverless"])
    assert exit_info.value.code == 2


def test_local_core_state_is_passed_as_an_absolute_path(run: Callable[..., Any], tmp_path: Path) -> None:
    """A `terraform state pull` copy is referenced by absolute path (Pulumi runs in platform/pulumi)."""
    state = tmp_path / "dev.tfstate"
    state.write_text("{}")
    status, runner = run([*SHARED[:-2], "--core-state", str(state)])
    assert status == 0
    assert runner.ups[0][1]["core"] == {"backend": "local", "path": str(state)}


def test_create_needs_a_gitops_tree_with_a_dev_overlay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pointed at a directory that is not a gitops/ tree, it writes nothing and says why."""
    monkeypatch.setenv(envctl.GEMINI_KEY_VARIABLE, "k")
    status = envctl.main(["--gitops-dir", str(tmp_path), *SHARED], runner=ProgramRunner(), today=TODAY)
    assert status == 2
    assert "is not a gitops/ tree with a dev overlay" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_destroy_removes_what_create_wrote(run: Callable[..., Any], gitops_root: Path) -> None:
    """Destroy runs Pulumi destroy, then deletes the overlay and the cluster Secret."""
    run(DEDICATED)
    status, runner = run(["destroy", "perf"])
    assert status == 0
    assert runner.destroyed == ["perf"]
    assert not (gitops_root / "kustomize" / "overlays" / "perf").exists()
    assert not (gitops_root / "clusters" / "dev" / "perf.yaml").exists()
    assert (gitops_root / "kustomize" / "overlays" / "dev").is_dir()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("dev", "Terraform owns it in platform/terraform/environments/dev"),
        ("staging", "Terraform owns it in platform/terraform/environments/staging"),
        ("../x", "2-12"),
    ],
)
def test_destroy_refuses_core_and_odd_names(
    run: Callable[..., Any], capsys: pytest.CaptureFixture[str], name: str, message: str
) -> None:
    """Destroy never touches dev/staging/prod, and names cannot escape the gitops tree."""
    status, runner = run(["destroy", name])
    assert status == 2
    assert message in capsys.readouterr().err
    assert runner.destroyed == []


def test_destroy_refuses_to_delete_a_hand_written_overlay(
    run: Callable[..., Any], gitops_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An overlay envctl did not generate is left alone."""
    own = gitops_root / "kustomize" / "overlays" / "perf"
    own.mkdir(parents=True)
    (own / "kustomization.yaml").write_text("resources: [../dev]\n")
    status, _ = run(["destroy", "perf"])
    assert status == 2
    assert "was not written by envctl" in capsys.readouterr().err
    assert own.is_dir()


def render(kustomize: Path, overlay: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Build an overlay with kustomize; return the objects by (kind, name)."""
    built = subprocess.run([str(kustomize), "build", str(overlay)], capture_output=True, text=True, check=True)
    return {(o["kind"], o["metadata"]["name"]): o for o in yaml.safe_load_all(built.stdout) if o}


def test_shared_cluster_overlay_renders_with_kustomize(
    run: Callable[..., Any], gitops_root: Path, tool: Callable[[str], Path]
) -> None:
    """The overlay builds: own namespace, identity, vault secret, hosts, egress and settings, dev's image and sizes."""
    kustomize = tool("kustomize")
    run(SHARED)
    objects = render(kustomize, gitops_root / "kustomize" / "overlays" / "pr-123")
    dev = render(kustomize, gitops_root / "kustomize" / "overlays" / "dev")
    assert ("Namespace", "medqa-pr-123") in objects
    namespaced = [o for o in objects.values() if o["kind"] != "Namespace"]
    assert {o["metadata"].get("namespace") for o in namespaced} == {"medqa-pr-123"}
    account = objects[("ServiceAccount", "medqa")]["metadata"]["annotations"]
    assert account["azure.workload.identity/client-id"] == mock_guid("client/id-medqa-preview-weu-pr-123")
    assert account["azure.workload.identity/tenant-id"] == CORE_OUTPUTS["tenant_id"]
    store = objects[("SecretStore", "medqa-keyvault")]["spec"]["provider"]["azurekv"]
    assert store["vaultUrl"] == "https://kvmedqadevweu.vault.azure.net/"
    remote_keys = [d["remoteRef"]["key"] for d in objects[("ExternalSecret", "medqa-secrets")]["spec"]["data"]]
    assert remote_keys == ["pr-123-gemini-api-key"]
    ingress = objects[("Ingress", "medqa")]["spec"]
    assert ingress["rules"][0]["host"] == "pr-123.medqa.example.com"
    assert set(ingress["tls"][0]["hosts"]) == {"pr-123.medqa.example.com", "origin.pr-123.medqa.example.com"}
    deployment = objects[("Deployment", "medqa")]
    assert deployment["metadata"]["labels"]["medqa.io/environment-name"] == "pr-123"
    container, dev_container = (
        d["spec"]["template"]["spec"]["containers"][0] for d in (deployment, dev[("Deployment", "medqa")])
    )
    assert (container["image"], container["resources"]) == (dev_container["image"], dev_container["resources"])
    settings = next(o for (kind, name), o in objects.items() if kind == "ConfigMap" and name.startswith("medqa-config"))
    assert settings["data"]["MEDQA_DATABASE_AUTH"] == "entra"


def test_dedicated_overlay_renders_with_kustomize(
    run: Callable[..., Any], gitops_root: Path, tool: Callable[[str], Path]
) -> None:
    """The dedicated overlay keeps namespace medqa and points egress at its own PostgreSQL subnet."""
    kustomize = tool("kustomize")
    run(DEDICATED)
    objects = render(kustomize, gitops_root / "kustomize" / "overlays" / "perf")
    assert ("Namespace", "medqa") in objects
    store = objects[("SecretStore", "medqa-keyvault")]["spec"]["provider"]["azurekv"]
    assert store["vaultUrl"] == "https://kvmedqaperfweu.vault.azure.net/"
    cidrs = [
        peer["ipBlock"]["cidr"]
        for rule in objects[("NetworkPolicy", "medqa-allow-egress")]["spec"]["egress"]
        for peer in rule.get("to", [])
        if "ipBlock" in peer
    ]
    assert "10.50.8.0/27" in cidrs


def test_gitops_module_refuses_unknown_remove_targets(tmp_path: Path) -> None:
    """Removing an environment that has no files is a no-op, not an error."""
    assert gitops_files.remove(tmp_path, "pr-9") == []


class BlankAddonRunner(ProgramRunner):
    """A stack whose External Secrets identity output came back empty."""

    def up(self, name: str, values: dict[str, Any], secrets: dict[str, str]) -> dict[str, Any]:
        """Build as usual, then blank one registration value."""
        return {**super().up(name, values, secrets), "eso_client_id": ""}


def test_a_registration_without_an_addon_value_is_not_written(
    run: Callable[..., Any], gitops_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty add-on value would only fail in Argo CD's generation later: envctl stops and names it."""
    status, _ = run(DEDICATED, BlankAddonRunner())
    assert status == 2
    assert "lack the registration annotations medqa.io/eso-client-id" in capsys.readouterr().err
    assert not (gitops_root / "clusters").exists()
    assert not (gitops_root / "kustomize" / "overlays" / "perf").exists()


class StateCheckingRunner(ProgramRunner):
    """Also records what the local core state file held while Pulumi ran."""

    def __init__(self) -> None:
        """Start with nothing seen."""
        super().__init__()
        self.seen: dict[str, Any] = {}

    def up(self, name: str, values: dict[str, Any], secrets: dict[str, str]) -> dict[str, Any]:
        """Read the state file envctl pulled, then build as usual."""
        path = Path(values["core"]["path"])
        self.seen = {"path": path, "mode": path.stat().st_mode & 0o777, "state": json.loads(path.read_text())}
        return super().up(name, values, secrets)


@pytest.fixture
def terraform_root(tool: Callable[[str], Path], tmp_path: Path) -> Path:
    """A Terraform root with local state holding one output (stands in for the dev root's azurerm state)."""
    root = tmp_path / "dev-root"
    root.mkdir()
    (root / "main.tf").write_text('output "resource_group_name" {\n  value = "rg-medqa-dev-weu"\n}\n')
    terraform = str(tool("terraform"))
    environment = {"PATH": "/usr/bin:/bin", "CHECKPOINT_DISABLE": "1"}
    for command in (["init", "-input=false"], ["apply", "-input=false", "-auto-approve"]):
        subprocess.run([terraform, f"-chdir={root}", *command], check=True, capture_output=True, env=environment)
    return root


def test_core_state_is_pulled_privately_and_deleted(
    run: Callable[..., Any], terraform_root: Path, tool: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--core-terraform-dir pulls the state into a 0600 temporary file that is gone after the run."""
    monkeypatch.setenv("PATH", f"{tool('terraform').parent}:/usr/bin:/bin")
    runner = StateCheckingRunner()
    status, _ = run([*SHARED[:-2], "--core-terraform-dir", str(terraform_root)], runner)
    assert status == 0
    assert runner.seen["mode"] == 0o600
    assert runner.seen["state"]["outputs"]["resource_group_name"]["value"] == "rg-medqa-dev-weu"
    assert not runner.seen["path"].exists()


def test_core_terraform_dir_needs_terraform(
    run: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the terraform CLI nothing runs and the reason is printed."""
    monkeypatch.setenv("PATH", "/nonexistent")
    status, runner = run([*SHARED[:-2], "--core-terraform-dir", str(tmp_path)])
    assert status == 2
    assert "--core-terraform-dir needs the terraform CLI on PATH" in capsys.readouterr().err
    assert runner.ups == []


def test_core_state_options_exclude_each_other(
    run: Callable[..., Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A local state file and a Terraform root to pull from cannot both be the core."""
    status, runner = run([*SHARED[:-2], "--core-terraform-dir", str(tmp_path), "--core-state", "x.tfstate"])
    assert status == 2
    assert "give --core-state or --core-terraform-dir, not both" in capsys.readouterr().err
    assert runner.ups == []


def test_core_terraform_dir_without_state_is_refused(
    run: Callable[..., Any],
    tmp_path: Path,
    tool: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A root with no state yet (dev never applied) stops the run with terraform's answer."""
    monkeypatch.setenv("PATH", f"{tool('terraform').parent}:/usr/bin:/bin")
    (tmp_path / "main.tf").write_text("")
    status, runner = run([*SHARED[:-2], "--core-terraform-dir", str(tmp_path)])
    assert status == 2
    assert "terraform state pull in" in capsys.readouterr().err
    assert runner.ups == []
