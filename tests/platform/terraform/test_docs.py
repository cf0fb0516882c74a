"""Every module README lists every input and output, and the top README names every module."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.platform.terraform.conftest import TF_DIR

MODULES = sorted(p for p in (TF_DIR / "modules").iterdir() if p.is_dir())


def declared(folder: Path, kind: str) -> list[str]:
    """Names of the variable or output blocks of a module."""
    names: list[str] = []
    for tf in folder.glob("*.tf"):
        names += re.findall(rf'^{kind} "([^"]+)"', tf.read_text(), re.MULTILINE)
    return names


@pytest.mark.parametrize("module", MODULES, ids=[m.name for m in MODULES])
def test_module_readme_lists_inputs_and_outputs(module: Path) -> None:
    readme = (module / "README.md").read_text()
    missing = [n for n in declared(module, "variable") + declared(module, "output") if f"`{n}`" not in readme]
    assert not missing, f"{module.name}/README.md does not list {missing}"


@pytest.mark.parametrize("module", MODULES, ids=[m.name for m in MODULES])
def test_every_variable_has_type_and_description(module: Path) -> None:
    for tf in module.glob("variables.tf"):
        blocks = re.findall(r'^variable "([^"]+)" \{(.*?)^\}', tf.read_text(), re.MULTILINE | re.DOTALL)
        for name, body in blocks:
            assert re.search(r"^\s+type\s+=", body, re.MULTILINE), f"{module.name}: {name} has no type"
            assert re.search(r'description\s+=\s+"[A-Z].*\."', body), f"{module.name}: {name} needs a sentence"


def test_top_readme_names_every_module() -> None:
    readme = (TF_DIR / "README.md").read_text()
    assert all(f"`{m.name}`" in readme for m in MODULES)
