"""Install, find and list the pinned platform tools of scripts/tools.toml (issue #5).

Standard library only (Python 3.11+), so `scripts/tools.sh path` stays fast and needs no venv.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
MANIFEST = REPO / "scripts" / "tools.toml"
PLATFORM = "linux_amd64"
BUILT_KINDS = ("go", "gowrap", "path", "provider")


class ToolError(Exception):
    """A tool cannot be found or built; the message names it."""


def cache_home() -> Path:
    """Return the tool cache root (MEDQA_TOOLS_HOME or ~/.cache/medqa-tools)."""
    env = os.environ.get("MEDQA_TOOLS_HOME")
    return Path(env) if env else Path.home() / ".cache" / "medqa-tools"


def load_manifest(path: Path = MANIFEST) -> dict[str, dict[str, Any]]:
    """Return the `[tools.*]` tables of the manifest."""
    with path.open("rb") as handle:
        return dict(tomllib.load(handle)["tools"])


def _exe(name: str, spec: dict[str, Any]) -> Path:
    """Where a built tool's executable lives in the cache."""
    if spec["kind"] == "provider":
        return _provider_binary(spec)
    return cache_home() / name / spec["version"] / "bin" / name


def _provider_binary(spec: dict[str, Any]) -> Path:
    """Filesystem-mirror path of a provider binary (unpacked layout)."""
    host, namespace, ptype = spec["registry"].split("/")
    version = spec["version"]
    return (
        cache_home()
        / "terraform-providers"
        / host
        / namespace
        / ptype
        / version
        / PLATFORM
        / f"terraform-provider-{ptype}_v{version}"
    )


def _schemas_dir(name: str, spec: dict[str, Any]) -> Path:
    """Directory of a generated schema set; its name changes whenever its sources do."""
    sources = json.dumps(spec.get("sources", spec.get("module_version")), sort_keys=True)
    digest = hashlib.sha256(sources.encode()).hexdigest()[:10]
    return cache_home() / name / f"{spec['version']}-{digest}"


def _venv_or_path(command: str) -> Path | None:
    """Find a pip-installed command in the repo's venv first, then on PATH."""
    venv = REPO / ".venv" / "bin" / command
    if venv.is_file() and os.access(venv, os.X_OK):
        return venv
    found = shutil.which(command)
    return Path(found) if found else None


def _complete(marker_dir: Path) -> bool:
    """True when a generated directory finished (it holds a .complete marker)."""
    return (marker_dir / ".complete").is_file()


def find(name: str, tools: dict[str, dict[str, Any]]) -> Path:
    """Return the installed path of a tool or data set, or raise ToolError."""
    if name == "terraform-providers":
        providers = {n: s for n, s in tools.items() if s["kind"] == "provider"}
        absent = [n for n, s in providers.items() if not _provider_binary(s).is_file()]
        if absent:
            raise ToolError(f"terraform-providers: not installed: {', '.join(absent)}")
        return cache_home() / "terraform-providers"
    spec = tools.get(name)
    if spec is None:
        raise ToolError(f"{name}: not in scripts/tools.toml")
    kind = spec["kind"]
    if kind == "missing":
        raise ToolError(f"{name}: not obtainable here: {spec['reason']}")
    if kind in ("crd", "openapi"):
        directory = _schemas_dir(name, spec)
        if _complete(directory):
            return directory
        raise ToolError(f"{name}: not installed")
    if kind == "apt":
        found = shutil.which(name)
        if found:
            return Path(found)
        raise ToolError(f"{name}: not installed: apt-get install -y {spec['source']}")
    if kind == "pip":
        located = _venv_or_path(name)
        if located:
            return located
        raise ToolError(f"{name}: not installed: uv sync (it is in a uv dependency group)")
    exe = _exe(name, spec)
    if exe.is_file() and os.access(exe, os.X_OK):
        return exe.resolve() if kind == "path" else exe
    raise ToolError(f"{name}: not installed")


def _ldflags(spec: dict[str, Any]) -> str:
    """Linker flags: stripped, plus the `-X` version stamps the manifest names (a string or a list)."""
    stamps = spec.get("ldflags_x") or []
    if isinstance(stamps, str):
        stamps = [stamps]
    return " ".join(["-s -w", *(f"-X {stamp}" for stamp in stamps)])


def _go(name: str, command: list[str], cwd: str | None = None, **env: str) -> str:
    """Run a go command; return its stdout or raise with its last line of stderr."""
    done = subprocess.run(
        ["go", *command],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ToolError(f"{name}: go {command[0]} failed: {last}")
    return done.stdout


def module_info(module: str, version: str) -> dict[str, Any]:
    """`go mod download -json` of one module version (from the module cache, else the proxy)."""
    done = subprocess.run(
        ["go", "mod", "download", "-json", f"{module}@{version}"],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        info: dict[str, Any] = json.loads(done.stdout or "{}")
    except ValueError:
        info = {}
    if done.returncode != 0 or "Dir" not in info:
        raise ToolError(f"{module}@{version}: {info.get('Error') or done.stderr.strip() or 'go mod download failed'}")
    return info


def module_dir(module: str, version: str) -> Path:
    """The directory of one module version in the Go module cache."""
    return Path(module_info(module, version)["Dir"])


def _is_local(path: str) -> bool:
    """A replace target that is a directory inside the module (./staging/..., ../api)."""
    return path.startswith(("./", "../"))


def wrapper_edits(spec: dict[str, Any], gomod: dict[str, Any]) -> list[str]:
    """`go mod edit` flags that make a wrapper module build `spec['module']` as its authors do.

    A module's own `replace` directives apply only when it is the main module, so `go install`
    refuses such modules. The wrapper requires the release and carries its replaces over: one that
    points at another module version is copied; one that points at a directory of the source tree
    (Kubernetes' staging/, etcd's ../api) is pinned to the published version of that module
    (`pins[path]`, else `local_replace_version`). Local replaces of modules the release does not
    require (etcd's FORBIDDEN_DEPENDENCY guards) are left out.
    """
    edits = [f"-require={spec['module']}@{spec['module_version']}"]
    required = {req["Path"] for req in gomod.get("Require") or []}
    pins: dict[str, str] = spec.get("pins", {})
    for rep in gomod.get("Replace") or []:
        old, new = rep["Old"], rep["New"]
        if _is_local(new["Path"]):
            if old["Path"] not in required:
                continue
            version = pins.get(old["Path"], spec.get("local_replace_version"))
            if not version:
                raise ToolError(f"{spec['module']}: replaces {old['Path']} with a directory and no pin is set")
            edits.append(f"-replace={old['Path']}={old['Path']}@{version}")
            continue
        left = f"{old['Path']}@{old['Version']}" if old.get("Version") else old["Path"]
        edits.append(f"-replace={left}={new['Path']}@{new['Version']}")
    return edits


def _wrapper_build(name: str, spec: dict[str, Any], scratch: str) -> Path:
    """Build a package of a module that carries replace directives, inside a wrapper module."""
    info = module_info(spec["module"], spec["module_version"])
    gomod = json.loads(_go(name, ["mod", "edit", "-json", info["GoMod"]]))
    wrapper = Path(scratch) / "wrapper"
    wrapper.mkdir()
    go_version = (gomod.get("Go") or "1.24").strip()
    (wrapper / "go.mod").write_text(f"module medqa.local/toolchain/{name}\n\ngo {go_version}\n")
    _go(name, ["mod", "edit", *wrapper_edits(spec, gomod)], cwd=str(wrapper))
    out = Path(scratch) / name
    command = ["build", "-trimpath", "-ldflags", _ldflags(spec), "-o", str(out), spec["package"]]
    _go(name, command, cwd=str(wrapper), GOFLAGS="-mod=mod", GOWORK="off")
    return out


def _go_build(name: str, spec: dict[str, Any], target: Path) -> None:
    """Build a Go package at its pinned module version into target."""
    if shutil.which("go") is None:
        raise ToolError(f"{name}: cannot build: `go` is not on PATH")
    ldflags = _ldflags(spec)
    with tempfile.TemporaryDirectory(prefix=f"medqa-{name}-") as scratch:
        if spec["kind"] == "gowrap":
            _move_into_place(_wrapper_build(name, spec, scratch), target)
            return
        env = {**os.environ, "GOBIN": scratch, "GOFLAGS": "-mod=mod"}
        command = ["go", "install", "-trimpath", "-ldflags", ldflags]
        command.append(f"{spec['package']}@{spec['module_version']}")
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise ToolError(f"{name}: go install failed: {last}")
        built = next(Path(scratch).iterdir())  # go names it after the package path
        _move_into_place(built, target)


def _move_into_place(built: Path, target: Path) -> None:
    """Move a finished binary into the cache in one rename (an interrupted build leaves nothing)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(target.name + ".part")
    shutil.move(str(built), staging)
    staging.chmod(0o755)
    staging.replace(target)


def _version_tuple(text: str) -> tuple[int, ...]:
    """Turn '1.11.4' into (1, 11, 4) for comparison."""
    return tuple(int(part) for part in text.split("-", maxsplit=1)[0].split(".") if part.isdigit())


def _terraform_on_path(minimum: str) -> Path | None:
    """Return the terraform on PATH when it is at least the pinned version."""
    found = shutil.which("terraform")
    if found is None:
        return None
    env = {**os.environ, "CHECKPOINT_DISABLE": "1"}
    out = subprocess.run(
        [found, "version", "-json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        version = json.loads(out.stdout)["terraform_version"]
    except (ValueError, KeyError):
        return None
    return Path(found) if _version_tuple(version) >= _version_tuple(minimum) else None


def _install_path_kind(name: str, spec: dict[str, Any], target: Path) -> str:
    """Link a new-enough tool from PATH into the cache, or build it."""
    found = _terraform_on_path(spec["version"]) if name == "terraform" else None
    if found is None:
        _go_build(name, spec, target)
        return "built"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    target.symlink_to(found)
    return f"linked {found}"


def _generate(name: str, spec: dict[str, Any], directory: Path) -> None:
    """Run a schema generator (needs PyYAML, so it runs in the repo's uv env)."""
    script = HERE / ("crd2schema.py" if spec["kind"] == "crd" else "k8s_schemas.py")
    staging = directory.with_name(directory.name + ".part")
    shutil.rmtree(staging, ignore_errors=True)
    command = [
        "uv",
        "run",
        "--frozen",
        "python",
        str(script),
        str(MANIFEST),
        str(staging),
    ]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ToolError(f"{name}: schema generation failed: {last}")
    (staging / ".complete").write_text(time.strftime("%Y-%m-%dT%H:%M:%SZ\n", time.gmtime()))
    shutil.rmtree(directory, ignore_errors=True)
    staging.rename(directory)


def install_one(name: str, tools: dict[str, dict[str, Any]], explicit: bool) -> str:
    """Install one tool unless present; return the line to print."""
    spec = tools[name]
    kind = spec["kind"]
    label = f"{name} {spec.get('version', '')}".strip()
    try:
        return f"{label}: present {find(name, tools)}"
    except ToolError:
        pass
    if kind == "missing":
        if explicit:
            raise ToolError(f"{name}: not obtainable here: {spec['reason']}")
        return f"{name}: unavailable ({spec['reason']})"
    if kind in ("apt", "pip"):
        find(name, tools)  # raises with the install command
    start = time.monotonic()
    if kind in ("crd", "openapi"):
        _generate(name, spec, _schemas_dir(name, spec))
        how = "generated"
    elif kind == "path":
        how = _install_path_kind(name, spec, _exe(name, spec))
    else:
        _go_build(name, spec, _exe(name, spec))
        how = "built"
    seconds = round(time.monotonic() - start)
    return f"{label}: {how} in {seconds} s -> {find(name, tools)}"


def _list(tools: dict[str, dict[str, Any]]) -> int:
    """Print the manifest, one tab-separated line per tool."""
    for name, spec in tools.items():
        version = spec.get("version", "-")
        print(f"{name}\t{version}\t{spec['kind']}\t{spec.get('source', '')}")
    return 0


def _path(tools: dict[str, dict[str, Any]], names: list[str]) -> int:
    """Print one tool's path, or explain on stderr why there is none."""
    if len(names) != 1:
        print("usage: tools.sh path NAME", file=sys.stderr)
        return 2
    try:
        print(find(names[0], tools))
    except ToolError as error:
        print(f"tools.sh: {error}", file=sys.stderr)
        return 1
    return 0


def _expand(tools: dict[str, dict[str, Any]], names: list[str]) -> list[str]:
    """The tools an install means: the named ones (`--group G` names a group), else every ungrouped one.

    Grouped tools (the local control plane, `group = "cluster"`) take long to build and only the opt-in
    suites use them, so a bare `install` leaves them alone.
    """
    wanted: list[str] = []
    rest = list(names)
    while rest:
        name = rest.pop(0)
        if name == "--group":
            if not rest:
                raise ToolError("--group needs a group name")
            group = rest.pop(0)
            members = [n for n, s in tools.items() if s.get("group") == group]
            if not members:
                raise ToolError(f"no tool is in group {group!r} (see scripts/tools.toml)")
            wanted += members
        elif name == "terraform-providers":  # the mirror: every provider the manifest can build
            wanted += [n for n, s in tools.items() if s["kind"] == "provider"]
        else:
            wanted.append(name)
    if not names:
        wanted = [n for n, s in tools.items() if "group" not in s]
    return list(dict.fromkeys(wanted))


def _install(tools: dict[str, dict[str, Any]], names: list[str]) -> int:
    """Install the named tools (every ungrouped one when none is named), one line each."""
    try:
        wanted = _expand(tools, names)
    except ToolError as error:
        print(f"tools.sh: {error}", file=sys.stderr)
        return 2
    unknown = [n for n in wanted if n not in tools]
    if unknown:
        listed = ", ".join(unknown)
        print(f"tools.sh: unknown tool: {listed} (see scripts/tools.toml)", file=sys.stderr)
        return 2
    failed = 0
    for name in wanted:
        try:
            print(install_one(name, tools, explicit=bool(names)), flush=True)
        except ToolError as error:
            print(f"tools.sh: {error}", file=sys.stderr, flush=True)
            failed += 1
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    """Command line: install [NAME... | --group GROUP] | path NAME | list."""
    if not argv or argv[0] not in ("install", "path", "list"):
        print("usage: tools.sh install [NAME... | --group GROUP] | path NAME | list", file=sys.stderr)
        return 2
    tools = load_manifest()
    if argv[0] == "list":
        return _list(tools)
    if argv[0] == "path":
        return _path(tools, argv[1:])
    return _install(tools, argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
