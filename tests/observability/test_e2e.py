"""End to end: a real Prometheus scrapes the real service; every dashboard panel shows data; an alert fires.

The rules Prometheus loads are rendered from observability/prometheus/rules/ with every duration divided
by 60 (observability/scale_rules.py --time-scale), so "5 minutes of Gemini errors" takes 5 seconds here.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from observability import contract, promql
from tests.observability.conftest import DASHBOARDS_DIR, all_rules, recorded_names
from tests.observability.live import JOB, NAMESPACE, Stack, has_finite_value, running_stack, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

HARD_FAILURE_ALERTS = ("MedQAGeminiErrors", "MedQAAskAvailabilityFastBurn")
QUESTIONS = ("What is a normal resting heart rate?", "How much water should an adult drink a day?")
EMERGENCY = "I have crushing chest pain spreading to my left arm and I am sweating"
PERSONAL = "My name is Wilhelmina Okafor, email w.okafor@example.org: is 400 mg ibuprofen too much?"


@dataclass
class Run:
    """What the traffic script saw, for the tests to assert on."""

    stack: Stack
    statuses: dict[str, list[int]] = field(default_factory=dict)
    alerts_while_healthy: dict[str, str] = field(default_factory=dict)
    alerts_after_hard_failure: dict[str, str] = field(default_factory=dict)
    seconds_to_fire: float = 0.0


def drive(stack: Stack, run: Run, phase: str, mode: str, questions: int) -> None:
    """Send `questions` /ask requests with the fake Gemini in `mode`, recording the statuses."""
    stack.set_mode(mode)
    run.statuses.setdefault(phase, []).extend(stack.ask(QUESTIONS[i % 2]) for i in range(questions))
    if mode == "ok":  # keep the streamed-answer series (time to first token) fresh in every window
        streamed = stack.client.post(f"{stack.service_url}/ask/stream", json={"question": QUESTIONS[0]})
        run.statuses.setdefault("stream", []).append(streamed.status_code)


def healthy_traffic(stack: Stack, run: Run) -> None:
    """Normal use for a few seconds: answers, reads, client errors, probes and an emergency question."""
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline:
        drive(stack, run, "healthy", "ok", 2)
        stack.client.get(f"{stack.service_url}/readyz")
        time.sleep(0.2)
    run.statuses["emergency"] = [stack.ask(EMERGENCY)]
    run.statuses["personal_data"] = [stack.ask(PERSONAL)]
    listing = stack.client.get(f"{stack.service_url}/questions", params={"limit": 5})
    first = listing.json()["items"][0]["id"] if listing.status_code == 200 and listing.json().get("items") else None
    run.statuses["reads"] = [listing.status_code]
    if first:
        run.statuses["reads"].append(stack.client.get(f"{stack.service_url}/questions/{first}").status_code)
    run.statuses["not_found"] = [
        stack.client.get(f"{stack.service_url}/questions/{'0' * 8}-0000-0000-0000-{'0' * 12}").status_code
    ]
    run.statuses["invalid"] = [stack.client.post(f"{stack.service_url}/ask", json={"question": ""}).status_code]
    time.sleep(2)  # two more scrapes and rule evaluations of the healthy state
    run.alerts_while_healthy = stack.alerts()


def degraded_traffic(stack: Stack, run: Run) -> None:
    """Every Gemini failure mode once or more, then a broken database for a moment."""
    for phase, mode, count in (
        ("rate_limited", "error:429", 4),
        ("safety", "safety", 3),
        ("max_tokens", "max_tokens", 2),
        ("malformed", "malformed", 2),
        ("timeout", "hang", 1),
        ("server_error", "error:500", 2),
    ):
        drive(stack, run, phase, mode, count)
        drive(stack, run, "healthy", "ok", 2)
    database = stack.workdir / "medqa.sqlite"
    shutil.move(database, database.with_suffix(".bak"))
    try:
        database.write_bytes(b"this is not a database" * 200)
        drive(stack, run, "database_down", "ok", 3)
        run.statuses["readyz_database_down"] = [
            stack.client.get(f"{stack.service_url}/readyz").status_code for _ in range(4)
        ]
        time.sleep(1.5)  # let a scrape see the failures
    finally:
        shutil.move(database.with_suffix(".bak"), database)


def hard_failure(stack: Stack, run: Run) -> None:
    """Gemini answers 503 to everything until the alerts fire (or 90 s pass)."""
    stack.set_mode("error:503")
    start = time.monotonic()

    def fired() -> bool:
        run.statuses.setdefault("gemini_down", []).append(stack.ask(QUESTIONS[0]))
        states = stack.alerts()
        return all(states.get(name) == "firing" for name in HARD_FAILURE_ALERTS)

    try:
        wait_until(fired, f"{HARD_FAILURE_ALERTS} firing", 90, stack.workdir / "prometheus.log")
    finally:
        run.seconds_to_fire = time.monotonic() - start
        run.alerts_after_hard_failure = stack.alerts()


def recovery(stack: Stack, run: Run) -> None:
    """Gemini is back: successful answers again, so latency panels have fresh observations."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        drive(stack, run, "recovered", "ok", 2)
        stack.client.get(f"{stack.service_url}/readyz")
    time.sleep(2.5)


@pytest.fixture(scope="module")
def live(prometheus_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """Run the whole traffic script once; the tests below read what it left in Prometheus."""
    workdir = tmp_path_factory.mktemp("observability-e2e")
    with running_stack(workdir, prometheus_bin) as stack:
        run = Run(stack)
        for step in (healthy_traffic, degraded_traffic, hard_failure, recovery):
            step(stack, run)
        yield run


def test_the_traffic_script_produced_the_failures_it_meant_to(live: Run) -> None:
    """Guard the script itself: each phase got the HTTP statuses the service contract promises."""
    s = live.statuses
    assert set(s["healthy"]) == {200} and set(s["recovered"]) == {200}
    assert s["emergency"] == [200] and s["not_found"] == [404] and s["invalid"][0] in {400, 422}
    assert set(s["rate_limited"]) == {503} and set(s["server_error"]) == {503} and set(s["timeout"]) == {504}
    assert set(s["gemini_down"]) == {503}
    assert set(s["database_down"]) == {503} and set(s["readyz_database_down"]) == {503}


def test_the_service_exports_the_metrics_contract(live: Run) -> None:
    """The live /metrics has every family of the contract (bar the planned ones) with the contract's labels."""
    samples = [s for family in text_string_to_metric_families(live.stack.metrics_text()) for s in family.samples]
    names = {s.name for s in samples}
    missing = contract.service_series(include_planned=False) - names
    assert not missing, f"contract metrics missing from /metrics: {missing}"
    for name, family in contract.SERVICE.items():
        for sample in samples:
            if sample.name in contract.series_names(name, family):
                assert set(sample.labels) - {"le"} == set(family.labels), sample
    outcomes = {s.labels["outcome"] for s in samples if s.name == "medqa_llm_requests_total"}
    assert outcomes == set(contract.OUTCOMES), "the script drives every outcome; the service labels them as promised"
    directions = {s.labels["direction"] for s in samples if s.name == "medqa_llm_tokens_total"}
    assert directions == set(contract.DIRECTIONS)
    assert {s.labels["level"] for s in samples if s.name == "medqa_triage_total"} <= set(contract.TRIAGE_LEVELS)
    ask_buckets = {
        s.labels["le"]
        for s in samples
        if s.name == "medqa_http_request_duration_seconds_bucket" and s.labels["route"] == "/ask"
    }
    slo_buckets = {le for rule in all_rules() for le in re.findall(r'le="([^"]+)"', str(rule["expr"]))}
    assert slo_buckets <= ask_buckets, "the latency SLI reads a bucket the service does not export"


def dashboard_targets() -> list[tuple[str, str, str, dict[str, str]]]:
    """(dashboard, panel, expression, variable values) for every panel query, variables as on-call sets them."""
    found = []
    for path in sorted(DASHBOARDS_DIR.glob("*.json")):
        board = json.loads(path.read_text())
        values = {"namespace": NAMESPACE, "job": JOB, "__rate_interval": "1m"}
        for variable in board["templating"]["list"]:
            if variable["type"] == "textbox":
                values[variable["name"]] = variable["query"]
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                found.append((path.stem, panel["title"], promql.substitute(target["expr"], values), values))
    return found


def test_every_metric_named_anywhere_is_exported_live(live: Run) -> None:
    """Rules and dashboards name only what the running service exports (or externals, or planned families)."""
    exported = {s.name for f in text_string_to_metric_families(live.stack.metrics_text()) for s in f.samples}
    named = {n for rule in all_rules() for n in promql.metric_names(str(rule["expr"]))}
    named |= {n for _, _, expr, _ in dashboard_targets() for n in promql.metric_names(expr)}
    unexplained = named - exported - recorded_names() - set(contract.EXTERNAL) - contract.planned_series()
    assert not unexplained


def test_prometheus_evaluates_every_rule_without_errors(live: Run) -> None:
    """All groups loaded; no rule reports an evaluation error; the SLI series exist."""
    groups = live.stack.api("/api/v1/rules")["groups"]
    loaded = [rule for group in groups for rule in group["rules"]]
    assert len(loaded) == len(all_rules())
    assert all(rule["health"] == "ok" for rule in loaded), [r for r in loaded if r["health"] != "ok"]
    for name in ("medqa_slo:ask_availability_errors:ratio_rate5m", "medqa_slo:ask_latency_errors:ratio_rate30d"):
        assert has_finite_value(live.stack.query(f'{name}{{namespace="{NAMESPACE}"}}')), name


def test_dashboard_variables_resolve_to_the_values_used(live: Run) -> None:
    """The namespace and job drop-downs offer the values the panel checks fill in."""
    for path in sorted(DASHBOARDS_DIR.glob("*.json")):
        for variable in json.loads(path.read_text())["templating"]["list"]:
            if variable["type"] != "query":
                continue
            match = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", variable["definition"])
            assert match, variable["definition"]
            selector = promql.substitute(match.group(1), {"namespace": NAMESPACE})
            offered = live.stack.api(f"/api/v1/label/{match.group(2)}/values", **{"match[]": selector})
            assert {"namespace": NAMESPACE, "job": JOB}[variable["name"]] in offered


def _pending_metric(expr: str, exported: Callable[[], set[str]]) -> str | None:
    """The planned metric a query needs that the service does not export yet, if any."""
    for name in sorted(promql.metric_names(expr) & contract.planned_series()):
        if name not in exported():
            return name
    return None


@pytest.mark.parametrize(
    ("board", "title", "expr"),
    [(b, t, e) for b, t, e, _ in dashboard_targets()],
    ids=[f"{b}:{t}:{i}" for i, (b, t, _, _) in enumerate(dashboard_targets())],
)
def test_dashboard_panel_shows_data(live: Run, board: str, title: str, expr: str) -> None:
    """The panel's query, run by the real Prometheus over the real service's metrics, returns numbers."""

    def exported() -> set[str]:
        return {s.name for f in text_string_to_metric_families(live.stack.metrics_text()) for s in f.samples}

    result: list[dict[str, Any]] = live.stack.query(expr)
    pending = _pending_metric(expr, exported)
    if pending is not None:
        assert not result
        pytest.xfail(f"{pending} is promised by a later issue and not exported yet; this panel is checked once it is")
    assert result, f"{board} / {title}: no series for {expr}"
    assert has_finite_value(result), f"{board} / {title}: only NaN/Inf for {expr}: {result}"


def test_alerts_stay_quiet_while_the_service_is_healthy(live: Run) -> None:
    """Normal traffic (with client errors) does not trigger the Gemini or SLO alerts."""
    for name in (*HARD_FAILURE_ALERTS, "MedQAGeminiRateLimited", "MedQADatabaseErrors", "MedQAReadinessFailing"):
        assert name not in live.alerts_while_healthy, live.alerts_while_healthy


def test_hard_gemini_failure_fires_the_alerts(live: Run) -> None:
    """Gemini answering 503 for long enough takes MedQAGeminiErrors and the fast availability burn to firing."""
    for name in HARD_FAILURE_ALERTS:
        assert live.alerts_after_hard_failure.get(name) == "firing", live.alerts_after_hard_failure
    # The scaled rules need at least their `for` (5 s and 2 s) plus windows to fill: firing is not instant.
    assert live.seconds_to_fire >= 2
    print(f"alerts firing {live.seconds_to_fire:.1f}s after Gemini started failing")
