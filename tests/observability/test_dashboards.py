"""The Grafana dashboards: generated, shaped as the platform expects, and every query valid and known."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from observability import contract, dashboards, promql
from tests.observability.conftest import DASHBOARDS_DIR, recorded_names, run
from tests.observability.test_rules import LABEL_VALUES, label_values_used

FILES = sorted(DASHBOARDS_DIR.glob("*.json"))
BUILTINS = {"__rate_interval": "5m", "__interval": "1m", "__range": "6h"}
SAMPLE_VALUES = {"datasource": "prometheus", "namespace": "medqa", "job": "medqa"}


def load(path: Path) -> dict[str, Any]:
    """One dashboard file."""
    board: dict[str, Any] = json.loads(path.read_text())
    return board


def variable_values(board: dict[str, Any]) -> dict[str, str]:
    """Values to fill every variable of a dashboard with (text boxes use their default)."""
    values = dict(BUILTINS)
    for variable in board["templating"]["list"]:
        values[variable["name"]] = SAMPLE_VALUES.get(variable["name"], variable.get("query", ""))
    return values


def queries() -> list[tuple[str, str, str]]:
    """(file stem, panel title, expression) for every query of every dashboard panel."""
    found = []
    for path in FILES:
        for panel in load(path)["panels"]:
            for target in panel.get("targets", []):
                found.append((path.stem, panel["title"], target["expr"]))
    return found


def test_committed_json_is_what_the_generator_produces() -> None:
    """Ansible ships the JSON; it must never drift from observability/dashboards.py."""
    assert dashboards.main(["--check"]) == 0
    assert {path.stem for path in FILES} == set(dashboards.DASHBOARDS)


def test_check_reports_a_hand_edited_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An edit made outside the generator is caught."""
    assert dashboards.main(["--out", str(tmp_path)]) == 0
    edited = tmp_path / "medqa-api.json"
    edited.write_text(edited.read_text().replace("MedQA / API", "MedQA / API (edited)"))
    assert dashboards.main(["--check", "--out", str(tmp_path)]) == 1
    assert "medqa-api.json" in capsys.readouterr().err


def test_the_issue_asks_for_these_dashboards() -> None:
    """API overview, Gemini, SLO and safety views, with the panels issue #11 names."""
    titles = {path.stem: {p["title"] for p in load(path)["panels"]} for path in FILES}
    assert {"Requests by route", "5xx ratio by route", "Latency by route"} <= titles["medqa-api"]
    assert {
        "Model latency",
        "Calls by outcome",
        "Rate-limited calls",
        "Tokens by direction",
    } <= titles["medqa-gemini"]
    assert {
        "Time to first token",
        "Projected cost per day",
        "Estimated cost per day by model",
    } <= titles["medqa-gemini"]
    assert {
        "Availability: SLI vs objective",
        "Availability budget left",
        "Availability: burn rate",
    } <= titles["medqa-slo"]
    assert {
        "Latency (< 10 s): SLI vs objective",
        "Latency (< 10 s) budget left",
    } <= titles["medqa-slo"]
    assert {"Questions by triage level", "Redactions by kind"} <= titles["medqa-safety"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_dashboard_shape(path: Path) -> None:
    """uid = file stem, path-style title, datasource variable first, a managed-by-Git note, sane layout."""
    board = load(path)
    assert board["uid"] == path.stem and len(board["uid"]) <= 40
    assert board["title"].startswith("MedQA / ")
    variables = board["templating"]["list"]
    assert variables[0]["type"] == "datasource" and variables[0]["query"] == "prometheus"
    assert "Managed by Git" in board["description"]
    assert any(p["type"] == "text" and "Managed by Git" in p["options"]["content"] for p in board["panels"])
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    for panel in board["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24 and grid["h"] > 0
        if panel.get("targets"):
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
            assert all(t["datasource"]["uid"] == "${datasource}" for t in panel["targets"])
            assert panel["description"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_variable_a_query_uses_is_defined(path: Path) -> None:
    """A panel may use only the dashboard's variables and Grafana's built-ins."""
    board = load(path)
    defined = set(variable_values(board))
    for panel in board["panels"]:
        for target in panel.get("targets", []):
            assert promql.variables(target["expr"]) <= defined, panel["title"]
    for variable in board["templating"]["list"][1:]:
        if variable["type"] == "query":
            assert promql.variables(variable["definition"]) <= defined


def test_every_dashboard_query_parses(promtool: Path, tmp_path: Path) -> None:
    """Each query, with its variables filled, is valid PromQL for the Prometheus we run."""
    rules = []
    for index, path in enumerate(FILES):
        board = load(path)
        values = variable_values(board)
        for n, panel in enumerate(board["panels"]):
            for m, target in enumerate(panel.get("targets", [])):
                expr = promql.substitute(target["expr"], values)
                rules.append({"record": f"dashboard:check_{index}_{n}_{m}", "expr": expr})
    assert len(rules) == len(queries())
    check = tmp_path / "dashboard-queries.rules.yml"
    check.write_text(yaml.safe_dump({"groups": [{"name": "dashboard-queries", "rules": rules}]}))
    result = run(promtool, "check", "rules", check)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("stem", "title", "expr"), queries(), ids=[f"{s}:{t}" for s, t, _ in queries()])
def test_every_dashboard_query_names_known_metrics(stem: str, title: str, expr: str) -> None:
    """Panels use only what the service exports, what our rules record, or documented externals."""
    values = variable_values(load(DASHBOARDS_DIR / f"{stem}.json"))
    names = promql.metric_names(promql.substitute(expr, values))
    assert names, "a panel query must select at least one metric"
    assert names <= contract.service_series() | recorded_names() | set(contract.EXTERNAL)
    for label, value in label_values_used(expr):
        assert value in LABEL_VALUES[label]
