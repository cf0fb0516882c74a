"""The side-by-side block: ratios to the ceiling and to each peer, and an honest verdict per target."""

from __future__ import annotations

from typing import Any

from bench.summary import side_by_side


def _run(rps: float, cpu_ms: float, p50_ms: float = 10.0, errors: int = 0) -> dict[str, Any]:
    return {"rps": rps, "cpu_ms_per_request": cpu_ms, "p50_ms": p50_ms, "errors": {"s5xx": errors, "read": 0}}


def _figures(**overrides: Any) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "ceiling": {"rps": 400.0, "cpu_ms_per_call": 1.6},
        "s1_serve": _run(300.0, 2.0),
        "s1_fastapi": _run(150.0, 4.0),
        "s1_seed": _run(100.0, 6.0),
        "s2_serve": _run(200.0, 2.5, p50_ms=302.0),
        "s3": _run(150.0, 3.0),
        "s3_rss_before_mb": 120.0,
        "s3_rss_peak_mb": 180.0,
    }
    figures.update(overrides)
    return figures


def test_every_target_met_is_said_so_with_its_ratio() -> None:
    """75% of the ceiling, 2x FastAPI, 3x the seed, +2 ms p50, 180 MB, no errors: all met."""
    out = side_by_side(_figures(), 300)
    assert "MISSED" not in out, out
    assert "s1 serve/ceiling 75% of calls/s, 80% of its CPU efficiency (met)" in out
    assert "s1 serve vs fastapi: 2.00x throughput, 2.00x less CPU/request (met >= 1.5x)" in out
    assert "s1 serve vs seed: 3.00x throughput, 3.00x less CPU/request (met >= 2.0x)" in out
    assert "s2 added p50 2.0 ms (met)" in out and "s3 peak RSS 180 MB (met)" in out
    assert "serve 300 req/s 2.00 ms  fastapi 150 req/s 4.00 ms  seed 100 req/s 6.00 ms" in out


def test_a_missed_target_and_errors_are_reported_as_missed() -> None:
    """Below 70% of the ceiling, slower than the seed, errors in scenario 3: each one says MISSED."""
    out = side_by_side(_figures(s1_serve=_run(200.0, 3.0), s3=_run(10.0, 9.0, errors=4)), 300)
    assert "s1 serve/ceiling 50% of calls/s, 53% of its CPU efficiency (MISSED)" in out
    assert "s1 serve vs seed: 2.00x throughput, 2.00x less CPU/request (met >= 2.0x)" in out
    assert "s1 serve vs fastapi: 1.33x throughput, 1.33x less CPU/request (MISSED >= 1.5x)" in out
    assert "errors of medqa serve 4 (MISSED)" in out


def test_a_throughput_ratio_met_on_more_of_a_core_is_still_missed() -> None:
    """1.6x FastAPI's requests per second while spending as much CPU per request: not 1.5x, it got more CPU."""
    out = side_by_side(_figures(s1_fastapi=_run(187.5, 2.0)), 300)
    assert "s1 serve vs fastapi: 1.60x throughput, 1.00x less CPU/request (MISSED >= 1.5x)" in out


def test_the_cpu_beyond_the_apps_own_model_client_is_printed() -> None:
    out = side_by_side(_figures(ceiling_app={"rps": 900.0, "cpu_ms_per_call": 0.8}), 300)
    assert "s1 serve beyond its own model client: 1.20 ms of CPU per request (the client alone 0.80 ms)" in out


def test_only_what_the_run_measured_is_summarised() -> None:
    """`--only 1 --no-peers`: no peer ratios, no scenario 2 or 3 verdicts."""
    figures = {"ceiling": {"rps": 400.0, "cpu_ms_per_call": 1.6}, "s1_serve": _run(300.0, 2.0)}
    out = side_by_side(figures, 300)
    assert "serve vs" not in out and "s2 added p50 -" not in out and "peak RSS" not in out
    assert len(out.splitlines()) == 4, out  # header, the s1 row, the ceiling ratio, the errors
    assert "errors of medqa serve 0 (met)" in out


def test_the_model_clients_own_share_of_the_added_latency_is_printed_and_the_verdict_kept() -> None:
    """The floor is context: the target stays the issue's, p50 over the model's 300 ms."""
    out = side_by_side(_figures(s2_serve=_run(200.0, 2.5, p50_ms=307.0), s2_floor={"p50_ms": 303.5}), 300)
    assert "s2 added p50 7.0 ms (MISSED; the model client alone adds 3.5, serve 3.5 more)" in out


def test_a_scenario_two_run_alone_still_lists_its_services() -> None:
    """`--only 2`: the s2 row names serve and its variants from scenario 2's own figures, not scenario 1's."""
    figures = {"s2_floor": {"p50_ms": 303.0, "rps": 3.3}, "s2_serve": _run(200.0, 2.5, p50_ms=309.0),
               "s2_workers-2": _run(190.0, 3.0, p50_ms=320.0)}  # fmt: skip
    out = side_by_side(figures, 300)
    assert "  s2: serve 200 req/s 2.50 ms  workers-2 190 req/s 3.00 ms (CPU per request)" in out
