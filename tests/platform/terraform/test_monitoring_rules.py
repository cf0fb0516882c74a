"""modules/monitoring deploys observability/prometheus/rules as Azure rule groups: a dropped rule or a bad one fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.platform.terraform.conftest import REPO, replace_in, run_check

ROOT = "modules/monitoring"
FAILED = f"terraform-check: FAIL {ROOT}: terraform test"


@pytest.fixture
def rules_copy(tree_copy: Path) -> Path:
    """The rule files beside the tree copy, where the check script and the module look for them."""
    rules = tree_copy.parent.parent / "observability" / "prometheus" / "rules"
    shutil.copytree(REPO / "observability" / "prometheus" / "rules", rules)
    return rules


def check(tree: Path, providers: Path) -> tuple[int, str]:
    """Run the monitoring module's plan tests on a faulty copy; the output with Terraform's line wraps undone."""
    result = run_check("test", tf_dir=tree, MEDQA_TF_PLUGIN_DIR=str(providers), MEDQA_TF_ROOTS=ROOT)
    return result.returncode, " ".join(result.stdout.split())


@pytest.mark.slow
def test_an_alert_the_module_drops_fails_the_plan_test(tree_copy: Path, rules_copy: Path, providers: Path) -> None:
    # Keep only the rules that have a `for`: MedQAPodRestarting (no `for`) would silently not be deployed.
    replace_in(
        tree_copy / ROOT / "main.prometheus.tf",
        "for_each = local.azure_rules[each.key]\n",
        "for_each = [for r in local.azure_rules[each.key] : r if r.record != null || r.for_iso != null]\n",
    )
    code, out = check(tree_copy, providers)
    assert code == 1, out
    assert FAILED in out
    assert "Every alert of observability/prometheus/rules/*.rules.yml must be in an Azure" in out


@pytest.mark.slow
def test_a_new_alert_in_a_rule_file_is_deployed_and_routed(tree_copy: Path, rules_copy: Path, providers: Path) -> None:
    text = (rules_copy / "service-alerts.rules.yml").read_text()
    new_rule = """      - alert: MedQAInjectedForTest
        expr: vector(1) > 0
        for: 1h
        labels:
          severity: critical
        annotations:
          summary: "Injected"
          runbook_url: observability/runbooks/MedQAInjectedForTest.md
"""
    (rules_copy / "service-alerts.rules.yml").write_text(text.replace("    rules:\n", "    rules:\n" + new_rule, 1))
    code, out = check(tree_copy, providers)
    assert code == 0, out


@pytest.mark.slow
def test_an_alert_without_a_severity_stops_the_plan(tree_copy: Path, rules_copy: Path, providers: Path) -> None:
    replace_in(
        rules_copy / "service-alerts.rules.yml",
        "        for: 10m\n        labels:\n          severity: warning\n",
        "        for: 10m\n        labels:\n          team: medqa\n",
    )
    code, out = check(tree_copy, providers)
    assert code == 1, out
    assert "every alert needs a severity label" in out
