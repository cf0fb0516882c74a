"""Generate strict kubeconform schemas from the CRD YAML inside pinned Go modules.

Usage: crd2schema.py MANIFEST OUT_DIR   (sources: `[tools.crd-schemas.sources.*]` in MANIFEST)
       crd2schema.py --files OUT_DIR CRD.yaml...   (convert local files, used by the tests)
Layout: OUT_DIR/<group>/<kind lowercased>_<version>.json, i.e. kubeconform's
`-schema-location "OUT_DIR/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"`.
"""

from __future__ import annotations

import json
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import toolchain
from schema_rules import strict


def module_dir(module: str, version: str) -> Path:
    """Download a module through the Go module proxy and return its directory (exit with the reason if not)."""
    try:
        return toolchain.module_dir(module, version)
    except toolchain.ToolError as error:
        raise SystemExit(str(error)) from None


def convert_crd(document: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    """Yield (relative file name, JSON schema) for each served version of one CRD."""
    spec = document["spec"]
    group, kind = spec["group"], spec["names"]["kind"]
    for version in spec["versions"]:
        if not version.get("served", True):
            continue
        source = version.get("schema", {}).get("openAPIV3Schema")
        if source is None:
            raise SystemExit(f"{kind}.{group}/{version['name']}: the CRD has no schema")
        schema = strict(source)
        schema["title"] = f"{kind} {group}/{version['name']}"
        yield f"{group}/{kind.lower()}_{version['name']}.json", schema


def convert_files(paths: Iterable[Path], out: Path) -> list[Path]:
    """Convert every CustomResourceDefinition in the given YAML files; return what was written."""
    written = []
    for path in paths:
        for document in yaml.safe_load_all(path.read_text()):
            if not document or document.get("kind") != "CustomResourceDefinition":
                continue
            for name, schema in convert_crd(document):
                target = out / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(schema, sort_keys=True) + "\n")
                written.append(target)
    if not written:
        raise SystemExit("no CustomResourceDefinition found")
    return written


def from_manifest(manifest: Path, out: Path) -> list[Path]:
    """Convert the CRD files that the manifest pins."""
    with manifest.open("rb") as handle:
        sources = tomllib.load(handle)["tools"]["crd-schemas"]["sources"]
    paths = []
    for source in sources.values():
        root = module_dir(source["module"], source["version"])
        for relative in source["files"]:
            if not (root / relative).is_file():
                raise SystemExit(f"{source['module']}@{source['version']}: no file {relative}")
            paths.append(root / relative)
    return convert_files(paths, out)


def main(argv: list[str]) -> int:
    """Command line entry point."""
    if len(argv) >= 3 and argv[0] == "--files":
        written = convert_files([Path(p) for p in argv[2:]], Path(argv[1]))
    elif len(argv) == 2:
        written = from_manifest(Path(argv[0]), Path(argv[1]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(f"{len(written)} schemas written to {argv[-1] if argv[0] != '--files' else argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
