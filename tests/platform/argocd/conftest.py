"""Fixtures for the Argo CD tests: the pinned kubeconform with its schemas, and the parsed tree."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.platform.argocd.model import Doc, load_tree

K8S_VERSION = "1.34.0"


class Kubeconform:
    """Runs kubeconform -strict with the Kubernetes core and our CRD schemas, as gitops-validate.sh does."""

    def __init__(self, binary: Path, core: Path, crds: Path) -> None:
        """Remember the binary and both schema folders."""
        self.binary, self.core, self.crds = binary, core, crds

    def run(self, docs: list[Doc], tmp: Path) -> subprocess.CompletedProcess[str]:
        """Validate these documents; no missing schema is tolerated."""
        target = tmp / "objects.yaml"
        target.write_text(yaml.safe_dump_all(docs, sort_keys=False), encoding="utf-8")
        return subprocess.run(
            [
                str(self.binary),
                "-strict",
                "-summary",
                "-kubernetes-version",
                K8S_VERSION,
                "-schema-location",
                f"{self.core}/{{{{.ResourceKind}}}}{{{{.KindSuffix}}}}.json",
                "-schema-location",
                f"{self.crds}/{{{{.Group}}}}/{{{{.ResourceKind}}}}_{{{{.ResourceAPIVersion}}}}.json",
                str(target),
            ],
            capture_output=True,
            text=True,
            check=False,
        )


@pytest.fixture(scope="session")
def kubeconform(tool: Callable[[str], Path]) -> Kubeconform:
    """The pinned kubeconform with the pinned schemas (skips, or fails under MEDQA_REQUIRE_TOOLS=1)."""
    return Kubeconform(tool("kubeconform"), tool("k8s-schemas"), tool("crd-schemas"))


@pytest.fixture(scope="session")
def kustomize(tool: Callable[[str], Path]) -> Path:
    """The pinned kustomize."""
    return tool("kustomize")


@pytest.fixture(scope="session")
def tree() -> list[tuple[Path, Doc]]:
    """Every object under gitops/argocd with the file it came from."""
    docs = load_tree()
    assert docs, "gitops/argocd holds no objects"
    return docs
