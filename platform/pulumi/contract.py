"""What the platform contract test needs from Pulumi: the GitOps files an environment would get, offline.

    render("platform/pulumi/examples/Pulumi.pr-123.yaml", core_outputs)
      -> {"exports": {...stack outputs...}, "files": {"gitops/kustomize/overlays/pr-123/platform.env": "...", ...}}

It runs the real program (config validation, components, gitops_files) under Pulumi mocks: the Terraform
state answers with ``core_outputs`` and Azure echoes inputs back, as in tests/pulumi_mocks.py. Nothing leaves
the machine. `core.output_names()` lists every Terraform output the program reads.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

PROJECT = Path(__file__).resolve().parent
REPO = PROJECT.parents[1]
for _path in (PROJECT, PROJECT / "tests"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import config  # noqa: E402 - the project directory must be on sys.path first
import gitops_files  # noqa: E402
import pulumi  # noqa: E402
from components.core import CoreOutputs, output_names  # noqa: E402
from pulumi_mocks import use_mocks  # noqa: E402

__all__ = ["output_names", "render"]
# Stands in for the secret config value; the mocks store it nowhere.
GEMINI_PLACEHOLDER = "contract-test-gemini-key"


def stack_config(path: Path) -> tuple[str, dict[str, Any]]:
    """The stack name (from Pulumi.<name>.yaml) and its medqa:* values without the namespace prefix."""
    name = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    values = {key.removeprefix(f"{config.NAMESPACE}:"): value for key, value in (document.get("config") or {}).items()}
    return name, values


def plain_outputs(outputs: dict[str, Any]) -> dict[str, Any]:
    """Output values by name, from either plain values or `terraform output -json` ({"value": ..., "type": ...})."""
    return {
        key: value["value"] if isinstance(value, dict) and "value" in value else value for key, value in outputs.items()
    }


def render(
    environment_config_path: str | Path,
    core_outputs: dict[str, Any],
    gitops_root: Path | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Build the stack under mocks; return its exports and the GitOps files, keyed by repository path.

    ``core_outputs`` are the dev root's outputs, plain or as `terraform output -json` prints them; a missing
    one fails with core.CoreOutputsError naming it.

    ``today`` defaults to the day before the config's expiresOn, so a committed example with a fixed date
    renders the same on any day. ``gitops_root`` defaults to the repository's gitops/ (its dev overlay is
    the parent that is copied).
    """
    name, values = stack_config(Path(environment_config_path))
    if today is None:
        today = date.fromisoformat(str(values["expiresOn"])) - timedelta(days=1)
    core = plain_outputs(core_outputs)
    CoreOutputs.from_outputs(core)  # a missing output fails here, by name, not deep inside the engine
    use_mocks(name, {**values, "geminiApiKey": GEMINI_PLACEHOLDER}, core)
    import environment  # imported after the mocks, as Pulumi requires

    exported: dict[str, Any] = {}

    def program() -> pulumi.Output[Any]:
        built = environment.build(config.load(today))
        return pulumi.Output.from_input(built.exports).apply(exported.update)

    pulumi.runtime.test(program)()
    root = gitops_root or REPO / "gitops"
    files = gitops_files.render(root, exported, str(values["expiresOn"]))
    return {"exports": exported, "files": {f"gitops/{path}": text for path, text in files.items()}}
