"""Reads each layer of the platform as the next layer sees it: planned Terraform outputs, rendered overlays, Argo CD."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# The long-lived environments: one Terraform root and one overlay each.
ENVIRONMENTS = ("dev", "staging", "prod")
# What the Terraform roots need beside them in a copy: modules, conventions.json, the alert rules.
TERRAFORM_TREE = ("platform/terraform", "platform/conventions.json", "observability/prometheus/rules")
# The checkout whose pinned tools render the layers (the tree under check may be a copy without them).
REPO = Path(__file__).resolve().parents[2]


class LayerError(RuntimeError):
    """A layer could not be read or rendered at all (a tool failed, a file is missing)."""


def tool_path(name: str) -> str:
    """A pinned tool from the cache, else PATH; LayerError names the install command when neither has it."""
    found = subprocess.run(
        ["bash", str(REPO / "scripts" / "tools.sh"), "path", name], capture_output=True, text=True, check=False
    )
    if found.returncode == 0 and found.stdout.strip():
        return found.stdout.strip()
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise LayerError(f"{name} is not installed: run `task tools` (or `bash scripts/tools.sh install {name}`)")


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines (comments and blank lines ignored), as kustomize's env generators read them."""
    if not path.is_file():
        raise LayerError(f"{path} is missing")
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        key, sep, value = text.partition("=")
        if not sep:
            raise LayerError(f"{path}:{number}: not KEY=value")
        values[key.strip()] = value.strip()
    return values


def load_yaml_documents(path: Path) -> list[dict[str, Any]]:
    """Every non-empty YAML document of a file."""
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


@dataclass
class Overlay:
    """One environment's overlay: its wiring file, its app config and what kustomize renders from it."""

    name: str
    directory: Path
    wiring: dict[str, str]
    config: dict[str, str]
    objects: list[dict[str, Any]]

    def find(self, kind: str, name: str | None = None) -> list[dict[str, Any]]:
        """The rendered objects of a kind (and name)."""
        return [
            o for o in self.objects if o.get("kind") == kind and (name is None or o["metadata"].get("name") == name)
        ]


def render_overlay(repo: Path, name: str) -> Overlay:
    """Render gitops/kustomize/overlays/<name> with the pinned kustomize."""
    directory = repo / "gitops" / "kustomize" / "overlays" / name
    if not directory.is_dir():
        raise LayerError(f"{directory.relative_to(repo)} is missing")
    done = subprocess.run(
        [tool_path("kustomize"), "build", str(directory)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise LayerError(f"kustomize build {directory.relative_to(repo)} failed: {done.stderr.strip()}")
    objects = [doc for doc in yaml.safe_load_all(done.stdout) if doc]
    config = {}
    for cm in objects:
        if cm.get("kind") == "ConfigMap" and cm["metadata"]["name"].startswith("medqa-config"):
            config = dict(cm.get("data") or {})
    return Overlay(name, directory, read_env_file(directory / "platform.env"), config, objects)


UNKNOWN = object()  # a value Terraform knows only after apply


@dataclass
class TerraformPlan:
    """The planned outputs and resources of one environment root, planned with mock providers."""

    root: str
    outputs: dict[str, Any]
    unknown_outputs: dict[str, Any]
    resources: list[dict[str, Any]] = field(default_factory=list)

    def wiring(self) -> tuple[dict[str, str], set[str]]:
        """The gitops_wiring keys known at plan time, and the keys known only after apply."""
        known = self.outputs.get("gitops_wiring") or {}
        unknown = self.unknown_outputs.get("gitops_wiring")
        unknown_keys = set(unknown) if isinstance(unknown, dict) else set()
        if unknown is True:
            raise LayerError(f"{self.root}: output gitops_wiring is wholly unknown at plan time")
        return dict(known), unknown_keys

    def resources_of(self, rtype: str) -> list[dict[str, Any]]:
        """The planned `after` values of every resource of a type."""
        return [r["change"]["after"] or {} for r in self.resources if r.get("type") == rtype]


def _copy_terraform_tree(repo: Path, into: Path) -> None:
    for part in TERRAFORM_TREE:
        source, target = repo / part, into / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl"))
        elif source.exists():
            shutil.copy(source, target)


def plan_terraform(repo: Path, environment: str) -> TerraformPlan:
    """Plan platform/terraform/environments/<env> offline through its tests/contract.tftest.hcl (mock providers).

    `terraform test -json -verbose` prints each plan-only run's plan as a `test_plan` message whose
    `output_changes` carry the planned output values; that is the only offline way to read them.
    """
    root = f"platform/terraform/environments/{environment}"
    if not (repo / root / "tests" / "contract.tftest.hcl").is_file():
        raise LayerError(f"{root}/tests/contract.tftest.hcl is missing: the contract cannot plan {root}")
    terraform = tool_path("terraform")
    mirror = tool_path("terraform-providers")
    with tempfile.TemporaryDirectory(prefix="contract-tf-") as tmp:
        work = Path(tmp)
        _copy_terraform_tree(repo, work)
        home = Path(os.environ.get("MEDQA_TOOLS_HOME", Path.home() / ".cache" / "medqa-tools"))
        cache = home / "terraform-plugin-cache"
        cache.mkdir(parents=True, exist_ok=True)
        rc = work / "terraformrc"
        rc.write_text(f'plugin_cache_dir = "{cache}"\n')
        env = {
            **os.environ,
            "CHECKPOINT_DISABLE": "1",
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "TF_CLI_CONFIG_FILE": str(rc),
        }
        cwd = work / root
        init = subprocess.run(
            [terraform, "init", "-backend=false", f"-plugin-dir={mirror}", "-no-color"],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if init.returncode != 0:
            raise LayerError(f"terraform init in {root} failed: {init.stderr.strip() or init.stdout.strip()}")
        test = subprocess.run(
            [terraform, "test", "-json", "-verbose", "-filter=tests/contract.tftest.hcl"],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=1200,
        )
    return _parse_test_json(root, test)


def _parse_test_json(root: str, test: subprocess.CompletedProcess[str]) -> TerraformPlan:
    errors: list[str] = []
    for line in test.stdout.splitlines():
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        if message.get("@level") == "error":
            errors.append(message.get("@message", "").strip())
        plan = message.get("test_plan")
        if plan is not None and message.get("@testfile") == "tests/contract.tftest.hcl":
            outputs: dict[str, Any] = {}
            unknown: dict[str, Any] = {}
            for name, change in (plan.get("output_changes") or {}).items():
                outputs[name] = change.get("after")
                if change.get("after_unknown"):
                    unknown[name] = change["after_unknown"]
            return TerraformPlan(root, outputs, unknown, plan.get("resource_changes") or [])
    detail = "; ".join(e for e in errors if e) or test.stderr.strip() or "no test_plan message"
    raise LayerError(f"terraform test in {root} produced no plan: {detail}")


def argocd_objects(repo: Path) -> list[dict[str, Any]]:
    """Every object under gitops/argocd, with the file it came from under `_file`."""
    found = []
    for path in sorted((repo / "gitops" / "argocd").rglob("*.yaml")):
        for doc in load_yaml_documents(path):
            doc["_file"] = str(path.relative_to(repo))
            found.append(doc)
    return found


# Runs in a child process: Pulumi's mocks are process-global and its project modules (config, contract...)
# would shadow ours.
_PULUMI_RENDER = """
import json, sys
sys.path.insert(0, sys.argv[1])
import contract
from components.core import output_names
core = json.loads(sys.stdin.read())
stacks = {}
# An input the core lacks is the contract's finding to report, not a render failure.
if all(name in core for name in output_names()):
    for path in sys.argv[2:]:
        stacks[path] = contract.render(path, core)
print(json.dumps({"inputs": sorted(output_names()), "stacks": stacks}, default=str))
"""


def pulumi_render(repo: Path, core_outputs: dict[str, Any]) -> dict[str, Any]:
    """Pulumi's inputs (the Terraform outputs it reads) and, per example stack, the GitOps files it would write."""
    project = repo / "platform" / "pulumi"
    stacks = sorted(str(p) for p in (project / "examples").glob("Pulumi.*.yaml"))
    done = subprocess.run(
        [sys.executable, "-c", _PULUMI_RENDER, str(project), *stacks],
        input=json.dumps(core_outputs),
        capture_output=True,
        text=True,
        check=False,
        cwd=repo,
        timeout=600,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise LayerError(f"platform/pulumi could not render its example stacks: {last}")
    return json.loads(done.stdout.strip().splitlines()[-1])
