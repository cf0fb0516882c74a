"""`task deploy:placeholders` and `task deploy:wire`: the values this repository cannot know, and where each comes from.

    python3 scripts/contract/contract_placeholders.py list
    python3 scripts/contract/contract_placeholders.py wire --env dev --outputs outputs.json

`list` prints every entry of gitops/placeholders.yaml and platform/placeholders.yaml with its source, then
scans the deployed files for stand-in values (GUIDs of one repeated digit, all-zero digests, example.org and
example.com hosts, the example-org GitHub organisation, PLACEHOLDER) and fails naming any occurrence no entry
covers. `wire` writes an environment's real values from `terraform output -json` of its root into the overlay's
platform.env and config.env (commit the result: a release is a commit).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
REGISTRIES = (Path("gitops/placeholders.yaml"), Path("platform/placeholders.yaml"))
PATTERNS = {
    # 00000000-0000-..., 11111111-1111-...: a GUID of one repeated digit is never a real id.
    "stand-in GUID": re.compile(r"\b(\d)\1{7}-\1{4}-\1{4}-\1{4}-\1{12}\b"),
    "zero digest": re.compile(r"sha256:0{64}"),
    "example host": re.compile(r"[a-z0-9.-]*example\.(?:org|com)"),
    "example GitHub organisation": re.compile(r"example-org"),
    "marked placeholder": re.compile(r"PLACEHOLDER"),
}
# Where placeholder-looking text is documentation or test data, not a value anything deploys.
NOT_DEPLOYED = ("tests/", "docs/", ".md", "/tests/", ".tftest.hcl", "scripts/", ".py")


class PlaceholderError(RuntimeError):
    """The registry is malformed or the outputs cannot be read."""


@dataclass(frozen=True)
class Entry:
    """One placeholder: the file and key that hold it, its stand-in value, and where the real value comes from."""

    file: str
    key: str
    placeholder: str
    source: str

    @property
    def output(self) -> str | None:
        """The Terraform output named in the source, if it names one."""
        found = re.search(r"output(?: -raw| -json)? ([a-z0-9_]+)", self.source)
        return found.group(1) if found else None


def read_registry(repo: Path) -> list[Entry]:
    """The entries of both registries (gitops/placeholders.yaml and platform/placeholders.yaml)."""
    entries = []
    for registry in REGISTRIES:
        path = repo / registry
        if not path.is_file():
            raise PlaceholderError(f"{registry} is missing")
        data = yaml.safe_load(path.read_text()) or {}
        for number, raw in enumerate(data.get("placeholders") or [], start=1):
            missing = [k for k in ("file", "key", "placeholder", "source") if not raw.get(k)]
            if missing:
                raise PlaceholderError(f"{registry} entry {number}: missing {', '.join(missing)}")
            entries.append(Entry(str(raw["file"]), str(raw["key"]), str(raw["placeholder"]), str(raw["source"])))
    return entries


def tracked_files(repo: Path) -> list[str]:
    """The files git tracks (a copy without .git: every file under it)."""
    done = subprocess.run(["git", "-C", str(repo), "ls-files"], capture_output=True, text=True, check=False)
    if done.returncode == 0 and done.stdout:
        return done.stdout.split()
    return [str(p.relative_to(repo)) for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts]


def unlisted(repo: Path, entries: list[Entry]) -> list[str]:
    """`file:line: what` for each placeholder-looking value in a deployed file that no entry covers."""
    found = []
    for name in tracked_files(repo):
        if any(marker in name for marker in NOT_DEPLOYED) or Path(name) in REGISTRIES:
            continue
        mine = [e.placeholder for e in entries if fnmatch.fnmatchcase(name, e.file)]
        try:
            lines = (repo / name).read_text().splitlines()
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(lines, start=1):
            if line.lstrip().startswith("#"):
                continue
            for what, pattern in PATTERNS.items():
                for match in pattern.finditer(line):
                    if not any(p in line for p in mine):
                        found.append(f"{name}:{number}: {what} {match.group(0)!r}")
    return found


def list_command(repo: Path) -> int:
    """Print the registry; exit 1 when a placeholder in the tree is not in it."""
    entries = read_registry(repo)
    width = max((len(f"{e.file} {e.key}") for e in entries), default=0)
    for e in entries:
        print(f"{(e.file + ' ' + e.key).ljust(width)}  {e.placeholder}  <- {e.source}")
    missing = unlisted(repo, entries)
    for line in missing:
        print(f"placeholders: listed nowhere: {line}", file=sys.stderr)
    print(f"placeholders: {len(entries)} listed, {len(missing)} unlisted")
    return 1 if missing else 0


def _read_outputs(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise PlaceholderError(f"{path}: not the JSON of `terraform output -json` ({error})") from error
    wiring = (raw.get("gitops_wiring") or {}).get("value") if isinstance(raw, dict) else None
    if not isinstance(wiring, dict) or not wiring:
        raise PlaceholderError(f"{path}: has no gitops_wiring output (apply the environment root first)")
    return wiring


def _rewrite_env(path: Path, values: dict[str, str]) -> list[str]:
    """Set KEY=value lines in place (order and comments kept); return the keys that changed."""
    lines, changed = path.read_text().splitlines(), []
    for i, line in enumerate(lines):
        key, sep, old = line.partition("=")
        if sep and not line.lstrip().startswith("#") and key.strip() in values:
            new = values[key.strip()]
            if old.strip() != new:
                lines[i] = f"{key.strip()}={new}"
                changed.append(key.strip())
    path.write_text("\n".join(lines) + "\n")
    return changed


def config_values(wiring: dict[str, str]) -> dict[str, str]:
    """The app settings that follow from the wiring (docs/platform-contract.md)."""
    url = (
        f"postgresql://{wiring['POSTGRES_USER']}@{wiring['POSTGRES_HOST']}:5432/"
        f"{wiring['POSTGRES_DATABASE']}?sslmode=require"
    )
    return {
        "MEDQA_DATABASE_URL": url,
        "MEDQA_FRONT_DOOR_ID": wiring["FRONT_DOOR_ID"],
        "MEDQA_TRUSTED_PROXIES": wiring["POD_CIDR"],
    }


def wire_command(repo: Path, env: str, outputs: Path) -> int:
    """Write the real values of one environment into its overlay."""
    wiring = {k: str(v) for k, v in _read_outputs(outputs).items()}
    overlay = repo / "gitops" / "kustomize" / "overlays" / env
    if not overlay.is_dir():
        raise PlaceholderError(f"{overlay.relative_to(repo)} does not exist")
    changed = _rewrite_env(overlay / "platform.env", wiring)
    changed += _rewrite_env(overlay / "config.env", config_values(wiring))
    print(f"wire: {env}: {', '.join(changed) or 'nothing'} changed; review and commit gitops/kustomize/overlays/{env}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=REPO)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="every placeholder and where its real value comes from")
    wire = sub.add_parser("wire", help="write an environment's Terraform outputs into its overlay")
    wire.add_argument("--env", required=True)
    wire.add_argument("--outputs", type=Path, required=True, help="a file with `terraform output -json`")
    args = parser.parse_args(argv)
    try:
        if args.command == "list":
            return list_command(args.repo)
        return wire_command(args.repo, args.env, args.outputs)
    except PlaceholderError as error:
        print(f"placeholders: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
