"""The Prometheus rules: valid, unit-tested firing and not firing, documented, consistent with the SLOs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from app.system.metrics import HTTP_BUCKETS
from observability import contract, promql
from tests.observability.conftest import (
    OBS,
    RULE_TESTS_DIR,
    RUNBOOKS_DIR,
    alerts,
    all_rules,
    recorded_names,
    rule_files,
    run,
)

ALERT_NAMES = sorted(rule["alert"] for rule in alerts())
RUNBOOK_SECTIONS = ("## What it means", "## How to confirm", "## What to do")


def test_promtool_check_rules_accepts_every_rule_file(promtool: Path) -> None:
    """Every rule file parses and lints cleanly."""
    result = run(promtool, "check", "rules", *rule_files())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_promtool_unit_tests_pass(promtool: Path) -> None:
    """`promtool test rules` runs every unit test file and all of them pass."""
    result = run(promtool, "test", "rules", *sorted(RULE_TESTS_DIR.glob("*.test.yml")))
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_check_rejects_a_broken_expression(promtool: Path, tmp_path: Path) -> None:
    """The check is not vacuous: a rule with invalid PromQL fails it."""
    bad = tmp_path / "bad.rules.yml"
    bad.write_text("groups:\n  - name: bad\n    rules:\n      - alert: Bad\n        expr: sum(rate(x[5m])\n")
    assert run(promtool, "check", "rules", bad).returncode != 0


def test_promtool_unit_test_catches_a_wrong_expectation(promtool: Path, tmp_path: Path) -> None:
    """The unit tests are not vacuous: changing one expected severity makes them fail."""
    shutil.copytree(OBS / "prometheus", tmp_path / "prometheus")
    test_file = tmp_path / "prometheus" / "tests" / "service-alerts.test.yml"
    text = test_file.read_text()
    test_file.write_text(
        text.replace(
            "{severity: critical, namespace: medqa, operation: insert}",
            "{severity: warning, namespace: medqa, operation: insert}",
        )
    )
    assert test_file.read_text() != text
    result = run(promtool, "test", "rules", test_file)
    assert result.returncode != 0
    assert "MedQADatabaseErrors" in result.stdout + result.stderr


def _alert_tests() -> dict[str, dict[str, int]]:
    """For each alert name, how many unit-test cases expect it firing and not firing."""
    seen: dict[str, dict[str, int]] = {}
    for path in sorted(RULE_TESTS_DIR.glob("*.test.yml")):
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                counts = seen.setdefault(check["alertname"], {"firing": 0, "quiet": 0})
                counts["firing" if check.get("exp_alerts") else "quiet"] += 1
    return seen


@pytest.mark.parametrize("alert", ALERT_NAMES)
def test_every_alert_is_unit_tested_firing_and_not_firing(alert: str) -> None:
    """Each alert has at least one promtool case where it fires and one where it stays quiet."""
    counts = _alert_tests().get(alert, {"firing": 0, "quiet": 0})
    assert counts["firing"] >= 1, f"{alert}: no unit test expects it to fire"
    assert counts["quiet"] >= 1, f"{alert}: no unit test expects it to stay quiet"


def test_unit_tests_name_only_existing_alerts() -> None:
    """A renamed alert cannot leave tests behind that silently check nothing."""
    assert set(_alert_tests()) <= set(ALERT_NAMES)


@pytest.mark.parametrize("rule", alerts(), ids=lambda rule: rule["alert"])
def test_every_alert_has_severity_summary_description_and_runbook(
    rule: dict[str, object],
) -> None:
    """On-call gets a severity, a summary, a description and a runbook with the three sections."""
    name = str(rule["alert"])
    labels = rule.get("labels", {})
    annotations = rule.get("annotations", {})
    assert isinstance(labels, dict) and isinstance(annotations, dict)
    assert labels.get("severity") in {"critical", "warning"}
    assert annotations.get("summary") and annotations.get("description")
    assert annotations.get("runbook_url") == f"observability/runbooks/{name}.md"
    runbook = RUNBOOKS_DIR / f"{name}.md"
    assert runbook.is_file(), f"missing runbook {runbook}"
    content = runbook.read_text()
    assert content.startswith(f"# {name}\n")
    for section in RUNBOOK_SECTIONS:
        assert section in content, f"{runbook.name}: no '{section}' section"


def test_every_runbook_belongs_to_an_alert() -> None:
    """No orphaned runbooks (README.md aside)."""
    runbooks = {path.stem for path in RUNBOOKS_DIR.glob("*.md") if path.name != "README.md"}
    assert runbooks == set(ALERT_NAMES)


def test_the_issue_asks_for_these_alerts() -> None:
    """Fast and slow burn for both SLOs plus the cause alerts issue #11 lists."""
    expected = {f"MedQAAsk{slo}{speed}Burn" for slo in ("Availability", "Latency") for speed in ("Fast", "Slow")} | {
        "MedQAGeminiRateLimited",
        "MedQAGeminiErrors",
        "MedQASafetyBlocksSpiking",
        "MedQADatabaseErrors",
        "MedQAReadinessFailing",
        "MedQANoTraffic",
        "MedQAPodRestarting",
    }
    assert set(ALERT_NAMES) == expected


def _objective(name: str) -> float:
    rule = next(r for r in all_rules() if r.get("record") == name)
    match = re.fullmatch(r"vector\(([0-9.]+)\)", str(rule["expr"]).strip())
    assert match, f"{name} must be a constant"
    return float(match.group(1))


@pytest.mark.parametrize("slo", ["availability", "latency"])
def test_burn_rate_thresholds_use_the_recorded_objective(slo: str) -> None:
    """Every `(burn * budget)` threshold uses 1 - objective, with the SRE workbook's burn rates."""
    budget = 1 - _objective(f"medqa_slo:ask_{slo}:objective")
    burns = {"Fast": {14.4, 6.0}, "Slow": {3.0, 1.0}}
    for speed, expected in burns.items():
        rule = next(r for r in alerts() if r["alert"] == f"MedQAAsk{slo.capitalize()}{speed}Burn")
        thresholds = re.findall(r"\(([0-9.]+) \* ([0-9.]+)\)", rule["expr"])
        assert len(thresholds) == 4
        assert {float(b) for b, _ in thresholds} == expected
        assert all(abs(float(x) - budget) < 1e-9 for _, x in thresholds)


def test_latency_threshold_is_a_bucket_bound_of_the_service_histogram() -> None:
    """The latency SLI reads one `le` bucket: it must exist in app/system/metrics.py."""
    threshold = _objective("medqa_slo:ask_latency:threshold_seconds")
    assert threshold in HTTP_BUCKETS
    for rule in all_rules():
        for le in re.findall(r'le="([^"]+)"', str(rule["expr"])):
            assert float(le) == threshold and le == f"{float(threshold)}"  # prometheus_client writes 10.0


def test_rules_name_only_known_metrics() -> None:
    """Every metric in a rule is exported by the service, recorded by a rule, or a documented external one."""
    allowed = contract.service_series() | recorded_names() | set(contract.EXTERNAL)
    for rule in all_rules():
        unknown = promql.metric_names(str(rule["expr"])) - allowed
        assert not unknown, f"{rule.get('alert') or rule.get('record')}: unknown metrics {unknown}"


LABEL_VALUES = {
    "outcome": contract.OUTCOMES,
    "direction": contract.DIRECTIONS,
    "level": contract.TRIAGE_LEVELS,
}


def label_values_used(expr: str) -> list[tuple[str, str]]:
    """(label, value) pairs matched by `label="v"` or `label=~"a|b"` for the contract's enumerated labels."""
    pairs: list[tuple[str, str]] = []
    for label, value in re.findall(r'\b(outcome|direction|level)=~?"([^"]*)"', expr):
        pairs.extend((label, v) for v in value.split("|"))
    return pairs


def test_rules_select_only_label_values_the_service_emits() -> None:
    """A typo such as outcome="ratelimited" would make an alert silently never fire."""
    for rule in all_rules():
        for label, value in label_values_used(str(rule["expr"])):
            assert value in LABEL_VALUES[label], f"{label}={value!r} is not in the metrics contract"
