"""The run's figures side by side, MedQA's ratios to the ceiling and to each peer, and each target met or not."""

from __future__ import annotations

from typing import Any

TARGETS = "s1 >= 70% of the ceiling, >= 1.5x FastAPI, >= 2x seed; s2 added p50 <= 3 ms; s3 RSS <= 300 MB; 0 errors"
# A ratio target of scenario 1 is met only when throughput *and* CPU per request reach it: on a shared machine
# throughput also measures how much of a core each process got, CPU per request does not.


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _errors(figures: dict[str, Any]) -> int:
    """Every error medqa serve answered with, over the scenarios the run measured."""
    runs = [figures[key] for key in ("s1_serve", "s2_serve", "s3") if key in figures]
    return sum(sum(run["errors"].values()) for run in runs)


def side_by_side(figures: dict[str, Any], s2_latency_ms: int) -> str:
    """The summary block printed at the end of a run (only what the run measured)."""
    lines = [f"side by side, one run ({TARGETS}):"]
    for scenario in ("s1", "s2"):
        if f"{scenario}_serve" not in figures:
            continue
        found = [(key.removeprefix(f"{scenario}_"), run) for key, run in figures.items()
                 if key.startswith(f"{scenario}_") and "cpu_ms_per_request" in run]  # fmt: skip
        row = "  ".join(f"{n} {f['rps']:.0f} req/s {f['cpu_ms_per_request']:.2f} ms" for n, f in found)
        lines.append(f"  {scenario}: {row} (CPU per request)")
    checks: list[str] = []
    if "s1_serve" in figures:
        serve, bare = figures["s1_serve"], figures["ceiling"]
        share, efficiency = serve["rps"] / bare["rps"], bare["cpu_ms_per_call"] / serve["cpu_ms_per_request"]
        checks.append(f"s1 serve/ceiling {share:.0%} of calls/s, {efficiency:.0%} of its CPU efficiency "
                      f"({_verdict(min(share, efficiency) >= 0.7)})")  # fmt: skip
        if "ceiling_app" in figures:
            own = figures["ceiling_app"]["cpu_ms_per_call"]
            checks.append(f"s1 serve beyond its own model client: {serve['cpu_ms_per_request'] - own:.2f} ms "
                          f"of CPU per request (the client alone {own:.2f} ms)")  # fmt: skip
        for peer, goal in (("fastapi", 1.5), ("seed", 2.0)):
            if f"s1_{peer}" in figures:
                other = figures[f"s1_{peer}"]
                ratio = serve["rps"] / other["rps"]
                less = other["cpu_ms_per_request"] / serve["cpu_ms_per_request"]
                checks.append(f"s1 serve vs {peer}: {ratio:.2f}x throughput, {less:.2f}x less CPU/request "
                              f"({_verdict(min(ratio, less) >= goal)} >= {goal}x)")  # fmt: skip
    if "s2_serve" in figures:
        added = figures["s2_serve"]["p50_ms"] - s2_latency_ms
        floor = ""
        if "s2_floor" in figures:  # the model client alone, one call at a time: what no service can go below
            below = figures["s2_floor"]["p50_ms"] - s2_latency_ms
            floor = f"; the model client alone adds {below:.1f}, serve {added - below:.1f} more"
        checks.append(f"s2 added p50 {added:.1f} ms ({_verdict(added <= 3)}{floor})")
    if "s3_rss_peak_mb" in figures:
        rss = figures["s3_rss_peak_mb"]
        checks.append(f"s3 peak RSS {rss:.0f} MB ({_verdict(rss <= 300)})")
    errors = _errors(figures)
    checks.append(f"errors of medqa serve {errors} ({_verdict(errors == 0)})")
    return "\n".join([*lines, *(f"  {check}" for check in checks)])
