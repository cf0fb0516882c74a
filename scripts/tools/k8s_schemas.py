"""Generate strict, standalone Kubernetes core schemas for kubeconform from api/openapi-spec.

Usage: k8s_schemas.py MANIFEST OUT_DIR   (version: `[tools.k8s-schemas]` module_version)
       k8s_schemas.py --swagger OUT_DIR swagger.json   (convert a local spec, used by the tests)
Layout: OUT_DIR/<kind>-<group prefix>-<version>.json (deployment-apps-v1.json, service-v1.json), i.e.
kubeconform's `-schema-location "OUT_DIR/{{.ResourceKind}}{{.KindSuffix}}.json"`.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from crd2schema import module_dir
from schema_rules import Schema, strict

REF = "#/definitions/"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
# A quantity is written as a string ("500m") or a bare number (2) in manifests.
QUANTITY_SCHEMA: Schema = {"oneOf": [{"type": "string"}, {"type": "number"}]}


class Inliner:
    """Replaces every $ref by the definition it names; a reference cycle becomes an open schema."""

    def __init__(self, definitions: dict[str, Schema]) -> None:
        """Keep the spec's definitions."""
        self.definitions = definitions

    def inline(self, node: Any, stack: tuple[str, ...] = ()) -> Any:
        """Return node with all references resolved."""
        if isinstance(node, list):
            return [self.inline(item, stack) for item in node]
        if not isinstance(node, dict):
            return node
        if isinstance(node.get("$ref"), str):
            name = node["$ref"].removeprefix(REF)
            siblings = {k: v for k, v in node.items() if k not in ("$ref", "description")}
            if name == QUANTITY:
                return {**QUANTITY_SCHEMA, **siblings}
            if name in stack:
                return dict(siblings)
            return {**self.inline(self.definitions[name], (*stack, name)), **siblings}
        return {key: self.inline(value, stack) for key, value in node.items()}


def file_name(group: str, version: str, kind: str) -> str:
    """Name a schema the way kubeconform's {{.ResourceKind}}{{.KindSuffix}} does."""
    suffix = f"-{group.split('.', maxsplit=1)[0].lower()}-{version}" if group else f"-{version}"
    return f"{kind.lower()}{suffix}.json"


def convert_spec(swagger: dict[str, Any], out: Path) -> int:
    """Write one strict schema per group/version/kind; return how many."""
    definitions = swagger["definitions"]
    inliner = Inliner(definitions)
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for name, definition in definitions.items():
        for gvk in definition.get("x-kubernetes-group-version-kind", []):
            resolved = inliner.inline(definition, (name,))
            schema = strict(resolved, nullable_fields=True)
            api = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
            schema["title"] = f"{gvk['kind']} {api}"
            target = out / file_name(gvk["group"], gvk["version"], gvk["kind"])
            target.write_text(json.dumps(schema, sort_keys=True) + "\n")
            count += 1
    if not count:
        raise SystemExit("no definition with x-kubernetes-group-version-kind found")
    return count


def main(argv: list[str]) -> int:
    """Command line entry point."""
    if len(argv) == 3 and argv[0] == "--swagger":
        out, spec = Path(argv[1]), Path(argv[2])
    elif len(argv) == 2:
        with Path(argv[0]).open("rb") as handle:
            pinned = tomllib.load(handle)["tools"]["k8s-schemas"]
        out = Path(argv[1])
        spec = module_dir(pinned["source"], pinned["module_version"]) / "api/openapi-spec/swagger.json"
    else:
        print(__doc__, file=sys.stderr)
        return 2
    count = convert_spec(json.loads(spec.read_text()), out)
    print(f"{count} schemas written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
