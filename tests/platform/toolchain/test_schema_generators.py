"""The CRD and Kubernetes OpenAPI converters: strictness rules and their error paths."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from jsonschema import Draft4Validator

Loader = Callable[[str], ModuleType]

CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "names": {"kind": "Widget", "plural": "widgets"},
        "scope": "Namespaced",
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "apiVersion": {"type": "string"},
                            "kind": {"type": "string"},
                            "metadata": {"type": "object"},
                            "spec": {
                                "type": "object",
                                "required": ["size"],
                                "properties": {
                                    "size": {"type": "integer", "format": "int32"},
                                    "port": {"x-kubernetes-int-or-string": True},
                                    "note": {"type": "string", "nullable": True},
                                    "labels": {
                                        "type": "object",
                                        "additionalProperties": {"type": "string"},
                                    },
                                    "free": {
                                        "type": "object",
                                        "x-kubernetes-preserve-unknown-fields": True,
                                    },
                                    "mode": {
                                        "type": "object",
                                        "properties": {"a": {"type": "string"}},
                                        "oneOf": [{"required": ["a"]}],
                                    },
                                },
                            },
                        },
                    }
                },
            },
            {"name": "v0", "served": False, "storage": False},
        ],
    },
}


@pytest.fixture
def widget_schema(script: Loader) -> dict[str, Any]:
    """The strict schema generated for the sample CRD's v1."""
    [(name, schema)] = list(script("crd2schema").convert_crd(CRD))
    assert name == "example.com/widget_v1.json"
    return schema


def _widget(**spec: Any) -> dict[str, Any]:
    """A Widget object with the given spec."""
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {}, "spec": spec}


def _valid(schema: dict[str, Any], document: dict[str, Any]) -> bool:
    """Validate as kubeconform does (JSON Schema draft 4)."""
    return Draft4Validator(schema).is_valid(document)


def test_crd_schema_is_strict(widget_schema: dict[str, Any]) -> None:
    """Unknown fields are rejected at the top, in spec and in nested objects."""
    Draft4Validator.check_schema(widget_schema)
    assert _valid(widget_schema, _widget(size=1))
    assert not _valid(widget_schema, _widget(size=1, sise=2))
    assert not _valid(widget_schema, {**_widget(size=1), "extra": True})
    assert not _valid(widget_schema, _widget(size=1, mode={"a": "x", "b": "y"}))
    assert not _valid(widget_schema, _widget())


def test_crd_schema_keeps_declared_openness(widget_schema: dict[str, Any]) -> None:
    """additionalProperties, preserve-unknown-fields, int-or-string and nullable are honoured."""
    assert _valid(widget_schema, _widget(size=1, labels={"any": "thing"}))
    assert not _valid(widget_schema, _widget(size=1, labels={"any": 3}))
    assert _valid(widget_schema, _widget(size=1, free={"whatever": {"deep": 1}}))
    assert _valid(widget_schema, _widget(size=1, port=80))
    assert _valid(widget_schema, _widget(size=1, port="http"))
    assert not _valid(widget_schema, _widget(size=1, port=True))
    assert _valid(widget_schema, _widget(size=1, note=None))
    assert _valid(widget_schema, _widget(size=1, mode={"a": "x"}))
    assert not _valid(widget_schema, _widget(size=1, mode={}))


def test_convert_files_writes_kubeconform_layout(script: Loader, tmp_path: Path) -> None:
    """Files land as <group>/<kind>_<version>.json; unserved versions are left out."""
    source = tmp_path / "crd.yaml"
    source.write_text(yaml.safe_dump_all([{"kind": "ConfigMap"}, CRD]))
    written = script("crd2schema").convert_files([source], tmp_path / "out")
    assert written == [tmp_path / "out" / "example.com" / "widget_v1.json"]
    assert json.loads(written[0].read_text())["title"] == "Widget example.com/v1"


def test_a_file_without_crds_is_an_error(script: Loader, tmp_path: Path) -> None:
    """A pinned path that holds no CRD (moved upstream) must not pass silently."""
    source = tmp_path / "not-a-crd.yaml"
    source.write_text("kind: ConfigMap\n")
    with pytest.raises(SystemExit, match="no CustomResourceDefinition"):
        script("crd2schema").convert_files([source], tmp_path / "out")


def test_a_served_version_without_schema_is_an_error(script: Loader) -> None:
    """A CRD version with no schema cannot be validated strictly."""
    crd = json.loads(json.dumps(CRD))
    del crd["spec"]["versions"][0]["schema"]
    with pytest.raises(SystemExit, match="has no schema"):
        list(script("crd2schema").convert_crd(crd))


SWAGGER: dict[str, Any] = {
    "definitions": {
        "io.k8s.api.apps.v1.Thing": {
            "type": "object",
            "x-kubernetes-group-version-kind": [{"group": "apps", "kind": "Thing", "version": "v1"}],
            "properties": {
                "apiVersion": {"type": "string"},
                "kind": {"type": "string"},
                "spec": {"$ref": "#/definitions/io.k8s.api.apps.v1.ThingSpec"},
            },
        },
        "io.k8s.api.apps.v1.ThingSpec": {
            "type": "object",
            "properties": {
                "cpu": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity"},
                "port": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString"},
                "child": {"$ref": "#/definitions/io.k8s.api.apps.v1.ThingSpec"},
            },
        },
        "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": "string"},
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {
            "type": "string",
            "format": "int-or-string",
        },
        "io.k8s.api.core.v1.Pod": {
            "type": "object",
            "x-kubernetes-group-version-kind": [{"group": "", "kind": "Pod", "version": "v1"}],
            "properties": {"kind": {"type": "string"}},
        },
    }
}


def test_core_schemas_are_standalone_strict_and_named_for_kubeconform(script: Loader, tmp_path: Path) -> None:
    """References are inlined, cycles cut, quantities and int-or-strings accepted as numbers."""
    assert script("k8s_schemas").convert_spec(SWAGGER, tmp_path) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pod-v1.json", "thing-apps-v1.json"]
    schema = json.loads((tmp_path / "thing-apps-v1.json").read_text())
    assert "$ref" not in json.dumps(schema)
    thing = {"apiVersion": "apps/v1", "kind": "Thing", "spec": {"cpu": 2, "port": "http"}}
    assert _valid(schema, thing)
    assert _valid(schema, {**thing, "spec": {"cpu": "500m", "port": 80, "child": {"x": 1}}})
    assert _valid(schema, {**thing, "spec": None})
    assert not _valid(schema, {**thing, "spec": {"cpus": 2}})
    assert not _valid(schema, {**thing, "status": {}})


def test_kubeconform_file_names(script: Loader) -> None:
    """The same suffixes kubeconform derives from apiVersion."""
    name = script("k8s_schemas").file_name
    assert name("", "v1", "Service") == "service-v1.json"
    assert name("networking.k8s.io", "v1", "NetworkPolicy") == "networkpolicy-networking-v1.json"
    assert name("apps", "v1", "Deployment") == "deployment-apps-v1.json"


def test_a_spec_without_kinds_is_an_error(script: Loader, tmp_path: Path) -> None:
    """A spec that yields nothing (wrong file) fails instead of writing an empty set."""
    with pytest.raises(SystemExit, match="no definition"):
        script("k8s_schemas").convert_spec({"definitions": {}}, tmp_path)
