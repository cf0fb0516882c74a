"""scripts/terraform-check.sh passes on the real tree and fails, with a clear line, on each kind of fault."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.platform.terraform.conftest import REPO, TF_DIR, replace_in, run_check


def fail_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The script's failure lines."""
    return [line for line in result.stdout.splitlines() if line.startswith("terraform-check: FAIL")]


def test_unknown_step_is_refused() -> None:
    result = run_check("lint-everything")
    assert result.returncode == 2
    assert "unknown step 'lint-everything'" in result.stdout


def test_fmt_and_arm_pass_on_the_repository() -> None:
    result = run_check("fmt", "arm")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all checks passed" in result.stdout


def test_fmt_failure_is_reported(tree_copy: Path) -> None:
    replace_in(tree_copy / "modules" / "acr" / "main.tf", "  admin_enabled          = false", "admin_enabled=false")
    result = run_check("fmt", tf_dir=tree_copy)
    assert result.returncode == 1
    assert any("fmt:" in line for line in fail_lines(result))


def test_arm_invalid_json_is_reported(tree_copy: Path) -> None:
    (tree_copy / "bootstrap" / "azuredeploy.json").write_text('{"resources": [')
    result = run_check("arm", tf_dir=tree_copy)
    assert result.returncode == 1
    assert any("arm:" in line for line in fail_lines(result))


def test_arm_undeclared_parameter_is_reported(tree_copy: Path) -> None:
    replace_in(tree_copy / "bootstrap" / "azuredeploy.parameters.json", '"containerName"', '"containerNam"')
    result = run_check("arm", tf_dir=tree_copy)
    assert result.returncode == 1
    assert "parameter file sets undeclared 'containerNam'" in result.stdout


def test_missing_provider_mirror_is_reported(tree_copy: Path, tmp_path: Path) -> None:
    result = run_check(
        "validate", tf_dir=tree_copy, MEDQA_TF_PLUGIN_DIR=str(tmp_path / "nowhere"), MEDQA_TF_ROOTS="modules/acr"
    )
    assert result.returncode == 1
    assert any("MEDQA_TF_PLUGIN_DIR" in line for line in fail_lines(result))


def test_checkov_passes_with_justified_skips_only() -> None:
    result = run_check("checkov")
    assert result.returncode == 0, result.stdout + result.stderr
    for tf in TF_DIR.rglob("*.tf"):
        for line in tf.read_text().splitlines():
            if "checkov:skip=" in line:
                check_id, _, reason = line.split("checkov:skip=", 1)[1].partition(":")
                assert len(reason.strip()) > 30, f"{tf}: {check_id} is skipped without a justification"


def test_checkov_failure_is_reported(tree_copy: Path) -> None:
    main = tree_copy / "modules" / "aks" / "main.tf"
    main.write_text(
        "\n".join(line for line in main.read_text().splitlines() if "checkov:skip=CKV_AZURE_117" not in line)
    )
    result = run_check("checkov", tf_dir=tree_copy)
    assert result.returncode == 1
    assert "CKV_AZURE_117" in result.stdout
    assert any("checkov:" in line for line in fail_lines(result))


@pytest.mark.slow
def test_every_root_validates_and_passes_its_plan_tests(providers: Path) -> None:
    result = run_check("validate", "test", MEDQA_TF_PLUGIN_DIR=str(providers))
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    roots = sorted(p.parent.relative_to(TF_DIR).as_posix() for p in TF_DIR.glob("*/*/terraform.tf"))
    assert len(roots) >= 13
    for root in roots:
        assert f"validate: {root} ok" in result.stdout
        assert f"test: {root} " in result.stdout
    assert not list(TF_DIR.rglob(".terraform")) and not list(TF_DIR.rglob(".terraform.lock.hcl"))


def test_tflint_passes(tool: Callable[[str], Path]) -> None:
    tool("tflint")
    result = run_check("tflint")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "tflint: environments/prod ok" in result.stdout


def test_tflint_finding_is_reported(tree_copy: Path, tool: Callable[[str], Path]) -> None:
    tool("tflint")
    with (tree_copy / "modules" / "identity" / "variables.tf").open("a") as variables:
        variables.write('\nvariable "unused" {\n  type        = string\n  description = "Not used."\n}\n')
    result = run_check("tflint", tf_dir=tree_copy, MEDQA_TF_ROOTS="modules/identity")
    assert result.returncode == 1
    assert "terraform_unused_declarations" in result.stdout
    assert "terraform-check: FAIL modules/identity: tflint" in result.stdout


def test_missing_tools_are_reported(tmp_path: Path) -> None:
    env = {"MEDQA_TOOLS_HOME": str(tmp_path / "empty"), "PATH": "/usr/local/bin:/usr/bin:/bin"}
    result = run_check("validate", "tflint", MEDQA_TF_ROOTS="modules/acr", **env)
    assert result.returncode == 1
    lines = fail_lines(result)
    assert any("offline provider mirror missing" in line for line in lines)
    assert any("tflint missing" in line for line in lines)


def test_invalid_attribute_fails_validate(tree_copy: Path, providers: Path) -> None:
    replace_in(tree_copy / "modules" / "acr" / "main.tf", "  admin_enabled ", "  admin_user_enabled ")
    result = run_check("validate", tf_dir=tree_copy, MEDQA_TF_PLUGIN_DIR=str(providers), MEDQA_TF_ROOTS="modules/acr")
    assert result.returncode == 1
    assert "terraform-check: FAIL modules/acr: terraform validate" in result.stdout


def test_root_without_tests_is_reported(tree_copy: Path, providers: Path) -> None:
    for test_file in (tree_copy / "modules" / "identity" / "tests").glob("*.tftest.hcl"):
        test_file.unlink()
    result = run_check("test", tf_dir=tree_copy, MEDQA_TF_PLUGIN_DIR=str(providers), MEDQA_TF_ROOTS="modules/identity")
    assert result.returncode == 1
    assert "no tests/*.tftest.hcl" in result.stdout


def test_no_terraform_state_or_lock_in_repo() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "platform/terraform"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not [f for f in tracked if f.endswith((".tfstate", ".terraform.lock.hcl")) or "/.terraform/" in f]


def test_missing_terraform_is_reported() -> None:
    result = run_check("fmt", TERRAFORM="/nonexistent/terraform")
    assert result.returncode == 1
    assert "terraform-check: FAIL terraform not found" in result.stdout


def test_unknown_root_is_reported(providers: Path) -> None:
    result = run_check("validate", MEDQA_TF_PLUGIN_DIR=str(providers), MEDQA_TF_ROOTS="modules/nope")
    assert result.returncode == 1
    assert "terraform-check: FAIL modules/nope: no such root" in result.stdout


def test_missing_convention_file_is_reported(tree_copy: Path, providers: Path) -> None:
    (tree_copy.parent / "conventions.json").unlink()
    result = run_check(
        "validate", tf_dir=tree_copy, MEDQA_TF_PLUGIN_DIR=str(providers), MEDQA_TF_ROOTS="modules/naming"
    )
    assert result.returncode == 1
    assert any("conventions.json not found" in line for line in fail_lines(result))


def test_provider_missing_from_mirror_fails_init(tree_copy: Path, providers: Path) -> None:
    replace_in(
        tree_copy / "modules" / "identity" / "terraform.tf",
        "  required_providers {\n",
        '  required_providers {\n    random = {\n      source  = "hashicorp/random"\n      version = "~> 3.6"\n    }\n',
    )
    result = run_check(
        "validate", tf_dir=tree_copy, MEDQA_TF_PLUGIN_DIR=str(providers), MEDQA_TF_ROOTS="modules/identity"
    )
    assert result.returncode == 1
    assert any("modules/identity: terraform init" in line for line in fail_lines(result))
