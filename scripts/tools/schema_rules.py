"""Turn Kubernetes OpenAPI schema nodes into strict JSON Schema (draft 4) for kubeconform.

Strict means: an object that lists its `properties` rejects any other field, unless the source
says extras are allowed (`additionalProperties` given, `x-kubernetes-preserve-unknown-fields`).
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

# Keys that carry documentation or apiserver-only semantics; kubeconform gains nothing from them.
DROPPED = {
    "description",
    "format",
    "example",
    "externalDocs",
    "x-kubernetes-validations",
}
INT_OR_STRING: Schema = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
EMBEDDED_FIELDS: Schema = {
    "apiVersion": {"type": "string"},
    "kind": {"type": "string"},
    "metadata": {"type": "object"},
}


def strict(node: Schema, nullable_fields: bool = False, structural: bool = True) -> Schema:
    """Return a strict copy of one schema node.

    nullable_fields lets every property also be null (Kubernetes serialises unset fields that
    way, e.g. `creationTimestamp: null`); structural is False inside anyOf/allOf/oneOf/not,
    where Kubernetes only allows value checks, so no strictness is added there.
    """
    if node.get("x-kubernetes-int-or-string") or node.get("format") == "int-or-string":
        return _with_null(dict(INT_OR_STRING), node.get("nullable", False))
    out: Schema = {}
    for key, value in node.items():
        if key in DROPPED or key == "nullable" or key.startswith("x-kubernetes-"):
            continue
        if key == "properties":
            out[key] = {name: _property(child, nullable_fields, structural) for name, child in value.items()}
        elif (key == "items" and isinstance(value, dict)) or (
            key == "additionalProperties" and isinstance(value, dict)
        ):
            out[key] = strict(value, nullable_fields, structural)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [strict(child, nullable_fields, structural=False) for child in value]
        elif key == "not":
            out[key] = strict(value, nullable_fields, structural=False)
        else:
            out[key] = value
    if node.get("x-kubernetes-embedded-resource") and "properties" in out:
        out["properties"] = {**EMBEDDED_FIELDS, **out["properties"]}
    open_ended = node.get("x-kubernetes-preserve-unknown-fields") or "additionalProperties" in node
    if structural and "properties" in out and not open_ended:
        out["additionalProperties"] = False
    return _with_null(out, node.get("nullable", False))


def _property(child: Schema, nullable_fields: bool, structural: bool) -> Schema:
    """Convert one property, allowing null where the caller asks for it."""
    converted = strict(child, nullable_fields, structural)
    return _with_null(converted, nullable_fields) if structural else converted


def _with_null(node: Schema, nullable: bool) -> Schema:
    """Let a node also accept null when its source says so."""
    if not nullable:
        return node
    if "oneOf" in node and "type" not in node:
        if {"type": "null"} not in node["oneOf"]:
            node["oneOf"] = [*node["oneOf"], {"type": "null"}]
        return node
    kind = node.get("type")
    if isinstance(kind, str):
        node["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        node["type"] = [*kind, "null"]
    if "enum" in node and None not in node["enum"]:
        node["enum"] = [*node["enum"], None]
    return node
