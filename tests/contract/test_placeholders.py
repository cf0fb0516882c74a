"""`task deploy:placeholders` lists every value the tree cannot know; `task deploy:wire` fills them from Terraform."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import contract_placeholders as placeholders
import pytest

REPO = Path(__file__).resolve().parents[2]


def test_every_placeholder_in_the_tree_is_listed_with_its_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert placeholders.list_command(REPO) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "WORKLOAD_IDENTITY_CLIENT_ID" in out and "<- " in out


def test_an_unlisted_placeholder_is_named_by_file_and_line(
    broken_copy: Callable[[str, str, str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    copy = broken_copy(
        "gitops/kustomize/overlays/dev/config.env", "MEDQA_ENV=dev", "MEDQA_ENV=dev\nMEDQA_X=sha256:" + "0" * 64
    )
    assert placeholders.list_command(copy) == 1
    err = capsys.readouterr().err
    assert "gitops/kustomize/overlays/dev/config.env:" in err and "zero digest" in err


def _outputs(tmp_path: Path, wiring: dict[str, str]) -> Path:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps({"gitops_wiring": {"sensitive": False, "type": ["object", {}], "value": wiring}}))
    return path


def test_wire_writes_the_terraform_values_into_the_overlay(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "gitops", copy / "gitops")
    overlay = copy / "gitops" / "kustomize" / "overlays" / "dev"
    wiring = {
        line.split("=", 1)[0]: line.split("=", 1)[1]
        for line in (overlay / "platform.env").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    wiring |= {
        "WORKLOAD_IDENTITY_CLIENT_ID": "6f1c2d1e-4a55-4a0e-9d0b-2b7f5a9a1c11",
        "TENANT_ID": "0b9f3c2a-1d4e-4f6a-8b7c-9d0e1f2a3b4c",
        "FRONT_DOOR_ID": "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
    }
    assert (
        placeholders.main(["--repo", str(copy), "wire", "--env", "dev", "--outputs", str(_outputs(tmp_path, wiring))])
        == 0
    )
    text = (overlay / "platform.env").read_text()
    assert "WORKLOAD_IDENTITY_CLIENT_ID=6f1c2d1e-4a55-4a0e-9d0b-2b7f5a9a1c11" in text
    config = (overlay / "config.env").read_text()
    assert "MEDQA_FRONT_DOOR_ID=3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f" in config
    assert f"MEDQA_DATABASE_URL=postgresql://{wiring['POSTGRES_USER']}@{wiring['POSTGRES_HOST']}:5432/" in config


@pytest.mark.parametrize(
    ("content", "message"),
    [("not json", "not the JSON of `terraform output -json`"), ("{}", "has no gitops_wiring output")],
)
def test_wire_refuses_outputs_it_cannot_use(
    tmp_path: Path, content: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(content)
    assert placeholders.main(["--repo", str(REPO), "wire", "--env", "dev", "--outputs", str(outputs)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("placeholders: ") and message in err and "\n" not in err
