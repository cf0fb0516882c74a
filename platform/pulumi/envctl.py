"""envctl: create or destroy an extra environment with Pulumi's Automation API, then write its GitOps files.

    envctl.py create NAME --shape shared-cluster|dedicated [--environment preview|perf|dr] [options]
    envctl.py destroy NAME

It never writes to a cluster: what Argo CD needs comes out as files under gitops/ to review and commit.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

PROJECT = Path(__file__).resolve().parent
REPO = PROJECT.parents[1]
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

import config  # noqa: E402 - the project directory must be on sys.path first
import convention  # noqa: E402
import gitops_files  # noqa: E402
from components import guardrails  # noqa: E402

GEMINI_KEY_VARIABLE = "MEDQA_GEMINI_API_KEY"
# An HCP Terraform API token for reading the dev state; stored as the secret medqa:coreToken.
CORE_TOKEN_VARIABLE = "MEDQA_CORE_TOKEN"  # noqa: S105 - the variable's name, not a token
# Environment kinds guessed from the name when --environment is not given.
KIND_BY_PREFIX = (("pr-", "preview"), ("preview", "preview"), ("perf", "perf"), ("dr", "dr"))


class UsageError(Exception):
    """The command line cannot describe a valid environment."""


class Runner(Protocol):
    """What envctl needs from Pulumi: deploy a stack with config and return its outputs, or destroy it."""

    def up(self, name: str, values: dict[str, Any], secrets: dict[str, str]) -> dict[str, Any]:
        """Create or update stack ``name`` with ``values`` (plain) and ``secrets``; return its outputs."""
        ...

    def destroy(self, name: str) -> None:
        """Destroy every resource of stack ``name`` and remove the stack."""
        ...


@dataclass
class AutomationRunner:
    """The real runner: Pulumi's Automation API over this project directory (needs the pulumi CLI)."""

    work_dir: Path = PROJECT
    secrets_provider: str | None = None

    def _options(self) -> Any:
        """Workspace options (the secrets provider for new stacks)."""
        from pulumi import automation

        return automation.LocalWorkspaceOptions(secrets_provider=self.secrets_provider)

    def up(self, name: str, values: dict[str, Any], secrets: dict[str, str]) -> dict[str, Any]:
        """Write the stack config (stacks/Pulumi.<name>.yaml), run `pulumi up`, return the outputs."""
        from pulumi import automation

        stack = automation.create_or_select_stack(stack_name=name, work_dir=str(self.work_dir), opts=self._options())
        settings = {
            f"{config.NAMESPACE}:{key}": automation.ConfigValue(value if isinstance(value, str) else json.dumps(value))
            for key, value in values.items()
        }
        settings |= {
            f"{config.NAMESPACE}:{key}": automation.ConfigValue(value, secret=True) for key, value in secrets.items()
        }
        stack.set_all_config(settings)
        result = stack.up(on_output=print)
        return {key: output.value for key, output in result.outputs.items()}

    def destroy(self, name: str) -> None:
        """Run `pulumi destroy`, then remove the stack and its config file."""
        from pulumi import automation

        stack = automation.select_stack(stack_name=name, work_dir=str(self.work_dir), opts=self._options())
        stack.destroy(on_output=print)
        stack.workspace.remove_stack(name)


def environment_kind(name: str, explicit: str | None) -> str:
    """The environment kind: as given, or guessed from the name's prefix."""
    if explicit:
        return explicit
    for prefix, kind in KIND_BY_PREFIX:
        if name.startswith(prefix):
            return kind
    raise UsageError(f"cannot tell the environment kind from {name!r}: pass --environment preview|perf|dr")


def refuse_long_lived(name: str) -> None:
    """Stop on dev, staging or prod, naming the Terraform root that owns it."""
    if name in convention.load()["long_lived_environments"]:
        raise UsageError(config.long_lived_message(name))


def stack_values(args: argparse.Namespace, today: date) -> dict[str, Any]:
    """The stack config (without secrets) the command line describes."""
    refuse_long_lived(args.name)
    kind = environment_kind(args.name, args.environment)
    expires_on = args.expires_on or (today + timedelta(days=guardrails.MAX_LIFETIME_DAYS.get(kind, 0))).isoformat()
    if args.core_state:
        core: dict[str, str] = {"backend": "local", "path": str(Path(args.core_state).resolve())}
    else:
        core = {"backend": "remote", "organization": args.core_organization or "", "workspace": args.core_workspace}
    values: dict[str, Any] = {
        "environment": kind,
        "shape": args.shape,
        "location": args.location,
        "owner": args.owner or "",
        "costCenter": args.cost_center or "",
        "expiresOn": expires_on,
        "core": core,
    }
    for key in ("cluster", "postgres"):
        raw = getattr(args, key)
        if raw:
            try:
                values[key] = json.loads(raw)
            except json.JSONDecodeError as error:
                raise UsageError(f"--{key} must be a JSON object: {error}") from error
    return values


@contextlib.contextmanager
def pulled_core_state(terraform_dir: str | None) -> Iterator[str | None]:
    """A private temporary copy of the dev state (`terraform state pull`), deleted afterwards.

    pulumi-terraform reads HCP Terraform or local state only; the core keeps its state in an azurerm
    backend, so envctl pulls it with the Terraform CLI and the operator's Azure credentials.
    """
    if terraform_dir is None:
        yield None
        return
    terraform = shutil.which("terraform")
    if terraform is None:
        raise UsageError("--core-terraform-dir needs the terraform CLI on PATH")
    pulled = subprocess.run(
        [terraform, f"-chdir={terraform_dir}", "state", "pull"], capture_output=True, text=True, check=False
    )
    if pulled.returncode != 0 or not pulled.stdout.strip():
        raise UsageError(f"terraform state pull in {terraform_dir} failed: {pulled.stderr.strip() or 'no state'}")
    with tempfile.TemporaryDirectory(prefix="envctl-") as directory:
        path = Path(directory) / "core.tfstate"
        # The state holds the core's secrets: readable by this user only, gone when the run ends.
        path.touch(mode=0o600)
        path.write_text(pulled.stdout, encoding="utf-8")
        yield str(path)


def create(args: argparse.Namespace, runner: Runner, gitops_root: Path, today: date) -> list[Path]:
    """Validate, deploy and write the GitOps files; return the files written."""
    if args.core_terraform_dir and args.core_state:
        raise UsageError("give --core-state or --core-terraform-dir, not both")
    with pulled_core_state(args.core_terraform_dir) as pulled:
        if pulled is not None:
            args.core_state = pulled
        return _create(args, runner, gitops_root, today)


def _create(args: argparse.Namespace, runner: Runner, gitops_root: Path, today: date) -> list[Path]:
    """Validate, deploy and write the GitOps files once the core state is reachable."""
    values = stack_values(args, today)
    try:
        config.parse(args.name, values, today)  # the same rules the program applies, before any cloud call
    except config.ConfigError as error:
        raise UsageError(f"{error}\n(set these with the create options, see `envctl.py create --help`)") from error
    gemini_key = os.environ.get(GEMINI_KEY_VARIABLE, "")
    if not gemini_key.strip():
        raise UsageError(f"{GEMINI_KEY_VARIABLE} is not set: the environment's Gemini API key goes into its Key Vault")
    secrets = {"geminiApiKey": gemini_key}
    if os.environ.get(CORE_TOKEN_VARIABLE):
        secrets["coreToken"] = os.environ[CORE_TOKEN_VARIABLE]
    outputs = runner.up(args.name, values, secrets)
    return gitops_files.write(gitops_root, outputs, values["expiresOn"])


def destroy(args: argparse.Namespace, runner: Runner, gitops_root: Path) -> list[Path]:
    """Destroy the stack and remove the GitOps files; return the paths removed."""
    if not config.NAME_PATTERN.fullmatch(args.name):
        raise UsageError(f"environment name {args.name!r} must be 2-12 lower-case letters, digits or dashes")
    refuse_long_lived(args.name)
    runner.destroy(args.name)
    return gitops_files.remove(gitops_root, args.name)


def parser() -> argparse.ArgumentParser:
    """The command line."""
    root = argparse.ArgumentParser(prog="envctl", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    root.add_argument("--gitops-dir", type=Path, default=REPO / "gitops", help="the gitops/ tree to write into")
    root.add_argument("--secrets-provider", default=os.environ.get("PULUMI_SECRETS_PROVIDER"), help="for new stacks")
    commands = root.add_subparsers(dest="command", required=True)
    up = commands.add_parser("create", help="create or update an extra environment")
    up.add_argument("name", help="environment (and stack) name, for example pr-123, perf or dr")
    up.add_argument("--shape", required=True, choices=config.SHAPES)
    up.add_argument("--environment", choices=sorted(guardrails.MAX_LIFETIME_DAYS), help="default: from the name")
    up.add_argument("--location", default=config.DEFAULT_LOCATION)
    up.add_argument("--owner", default=os.environ.get("MEDQA_OWNER"), help="default: $MEDQA_OWNER")
    up.add_argument("--cost-center", default=os.environ.get("MEDQA_COST_CENTER"), help="default: $MEDQA_COST_CENTER")
    up.add_argument("--expires-on", help="YYYY-MM-DD; default: the longest lifetime the kind allows")
    up.add_argument("--core-organization", default=os.environ.get("MEDQA_CORE_ORGANIZATION"))
    up.add_argument("--core-workspace", default=os.environ.get("MEDQA_CORE_WORKSPACE", "medqa-dev"))
    up.add_argument("--core-state", help="a local copy of the dev state (terraform state pull) instead of HCP")
    up.add_argument("--core-terraform-dir", help="pull the dev state from this Terraform root (azurerm backend)")
    up.add_argument("--cluster", help='dedicated only, JSON: {"vmSize": ..., "nodeCount": ..., ...}')
    up.add_argument("--postgres", help='dedicated only, JSON: {"skuName": ..., "storageGb": ..., ...}')
    down = commands.add_parser("destroy", help="destroy an extra environment and remove its GitOps files")
    down.add_argument("name")
    return root


# What stops a run with a one-line message (exit 2) instead of a traceback.
REFUSALS = (UsageError, FileNotFoundError, PermissionError, gitops_files.OverlayError, gitops_files.RegistrationError)


def main(argv: Sequence[str] | None = None, runner: Runner | None = None, today: date | None = None) -> int:
    """Run the command; print what to commit. Returns the exit status."""
    args = parser().parse_args(argv)
    real = runner or AutomationRunner(secrets_provider=args.secrets_provider)
    try:
        if args.command == "create":
            paths = create(args, real, args.gitops_dir, today or date.today())
            verb = "written"
        else:
            paths = destroy(args, real, args.gitops_dir)
            verb = "removed"
    except REFUSALS as error:
        print(f"envctl: {error}", file=sys.stderr)
        return 2
    for path in paths:
        print(f"{verb}: {path}")
    print("Review and commit these GitOps changes; Argo CD applies them, envctl never touches a cluster.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
