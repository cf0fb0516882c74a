"""Benchmark of issues #12 and #19: `uv run python bench/run.py [--quick] [--only 1,2,3] [--profile DIR]`.

Starts on 127.0.0.1 a throwaway PostgreSQL, `medqa fake-gemini`, `medqa serve` (one process) and its
peers (bench/peers/: FastAPI + SQLAlchemy async, and the seed's Flask + gunicorn + SQLite), then measures
the bare google-genai ceiling and the three scenarios with wrk, the services in interleaved rounds, and
prints the figures and MedQA's ratios to the ceiling and to each peer, with the load average.
With --variants [bare,pre-19,workers-2], variants of the service (bench/serve_variant.py) also run, to price a layer.
Everything it starts is stopped at the end, on error, on Ctrl-C and on SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ceiling import MEASURED
from bench.load import run_wrk, wrk_path
from bench.measure import Measured, ceiling, compare, measure
from bench.stack import Service, Stack
from bench.summary import side_by_side

S1_CONNECTIONS, S2_CONNECTIONS, S3_CONNECTIONS = 16, 64, 1000
S2_LATENCY_MS, S3_LATENCY_MS = 300, 1000
# Scenario 3 keeps 1,000 questions in flight for a second each: the budget and the in-flight bound must allow it.
SERVICE_ENV = {"MEDQA_GEMINI_TIMEOUT_S": "60", "MEDQA_MAX_INFLIGHT": "5000"}
VARIANTS = {
    "bare": "without observe middleware",
    "pre-19": "before issue #19's tuning: pool reset on release, loggers not cached",
    "workers-2": "MEDQA_WORKERS=2: two worker processes, multiprocess metrics",
}
PEERS = ("fastapi", "seed")  # bench/peers/: FastAPI + SQLAlchemy async, and the seed's Flask + gunicorn + SQLite


def load_average() -> str:
    """The machine's 1/5/15-minute load average: the run's noise, printed with its figures."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _deltas(results: dict[str, Measured]) -> None:
    """Print `medqa serve` against each peer and variant, as ratios (only figures of one run compare)."""
    base = results["serve"]
    for name, m in results.items():
        if name != "serve":
            print(f"   serve vs {name}: {base.load.rps / max(m.load.rps, 1e-9):.2f}x throughput, "
                  f"{m.cpu_ms_per_request / max(base.cpu_ms_per_request, 1e-9):.2f}x less CPU per request, "
                  f"p50 {base.load.p50_ms:.1f} vs {m.load.p50_ms:.1f} ms, p99 {base.load.p99_ms:.1f} vs "
                  f"{m.load.p99_ms:.1f} ms, errors {base.load.error_count} vs {m.load.error_count}")  # fmt: skip


def scenario_one(
    args: argparse.Namespace, stack: Stack, services: dict[str, Service], seconds: int
) -> dict[str, object]:
    """Scenario 1 for every service and the bare-client ceiling, interleaved round by round (medians)."""
    ceilings: dict[str, list[dict[str, float]]] = {style: [] for style in MEASURED}

    def each_round(seconds: int) -> None:
        for style in MEASURED:
            ceilings[style].append(ceiling(stack, seconds, style))

    results = compare(services, S1_CONNECTIONS, seconds, args.rounds, each_round)
    bare, own = (sorted(found, key=lambda c: c["rps"])[len(found) // 2] for found in ceilings.values())
    for label, c in (("bare google-genai client (httpx2)", bare), ("the app's own model client (aiohttp)", own)):
        print(f"{label:<36} {c['rps']:7.1f} calls/s p50 {c['p50_ms']:5.1f}  p99 {c['p99_ms']:6.1f} ms  "
              f"failures {int(c['failures'])}  CPU {c['cpu_share']:.0%} of a core, "
              f"{c['cpu_ms_per_call']:.2f} ms/call", flush=True)  # fmt: skip
    for name, m in results.items():
        print(m.line(f"1. instant model c={S1_CONNECTIONS} {name}"), flush=True)
    s1 = results["serve"]
    print(f"   serve / bare-client ceiling: {s1.load.rps / bare['rps']:.0%} of its calls/s (target >= 70%), "
          f"{bare['cpu_ms_per_call'] / max(s1.cpu_ms_per_request, 1e-9):.0%} of its CPU efficiency; p99 "
          f"{s1.load.p99_ms:.1f} ms (target <= 50); errors {s1.load.error_count} (target 0)")  # fmt: skip
    print(f"   serve's CPU beyond its own model client: {s1.cpu_ms_per_request - own['cpu_ms_per_call']:.2f} ms "
          f"per request ({s1.cpu_ms_per_request:.2f} - {own['cpu_ms_per_call']:.2f})")  # fmt: skip
    print(f"   {load_average()}")
    _deltas(results)
    if args.profile:
        from bench.profile import profile_during

        base = services["serve"]
        profile_during(base, lambda: run_wrk(base.url, S1_CONNECTIONS, seconds), Path(args.profile))
    return {"ceiling": bare, "ceiling_app": own, **{f"s1_{name}": m.figures() for name, m in results.items()}}


def scenario_two(
    args: argparse.Namespace, stack: Stack, services: dict[str, Service], seconds: int
) -> dict[str, object]:
    """Scenario 2 for every service (interleaved): the service's added latency over a 300 ms model."""
    floor = ceiling(stack, max(4, seconds // 2), "app", concurrency=1, latency_ms=S2_LATENCY_MS)
    print(f"the app's own model client alone, c=1  p50 {floor['p50_ms']:.1f} ms: the fake and the client add "
          f"{floor['p50_ms'] - S2_LATENCY_MS:.1f} ms to the model's {S2_LATENCY_MS} ms, no service")  # fmt: skip
    stack.set_fake_latency(S2_LATENCY_MS)
    results = compare(services, S2_CONNECTIONS, seconds, args.rounds)
    print(f"   {load_average()}")
    ideal = S2_CONNECTIONS / (S2_LATENCY_MS / 1000)
    for name, m in results.items():
        r = m.load
        print(m.line(f"2. model 300 ms c={S2_CONNECTIONS} {name}"), flush=True)
        print(f"   {r.rps / ideal:.0%} of ideal {ideal:.0f} req/s (target >= 90%); added latency p50 "
              f"{r.p50_ms - S2_LATENCY_MS:.1f} ms (<= 3), p99 {r.p99_ms - S2_LATENCY_MS:.1f} ms (<= 15)")  # fmt: skip
    _deltas(results)
    return {"s2_floor": floor, **{f"s2_{name}": m.figures() for name, m in results.items()}}


def scenario_three(stack: Stack, service: Service, seconds: int) -> dict[str, object]:
    """Scenario 3: 1,000 connections, model at 1 s; peak RSS sampled every 100 ms."""
    stack.set_fake_latency(S3_LATENCY_MS)
    box: list[Measured] = []
    work = threading.Thread(target=lambda: box.append(_s3_load(service, seconds)))
    before = peak = service.rss_mb()
    work.start()
    deadline = time.monotonic() + seconds + 180
    while work.is_alive() and time.monotonic() < deadline:
        peak = max(peak, service.rss_mb())
        work.join(0.1)
    if not box:
        raise SystemExit("scenario 3: wrk did not finish")
    print(box[0].line(f"3. model 1 s c={S3_CONNECTIONS} serve"), flush=True)
    print(f"   RSS of medqa serve: {before:.0f} MB before, peak {peak:.0f} MB (target <= 300 MB); "
          f"errors {box[0].load.error_count} (target 0); {load_average()}")  # fmt: skip
    return {"s3": box[0].figures(), "s3_rss_before_mb": before, "s3_rss_peak_mb": peak}


def _s3_load(service: Service, seconds: int) -> Measured:
    return measure(service, S3_CONNECTIONS, seconds, timeout_s=60)


def run(args: argparse.Namespace, stack: Stack) -> dict[str, object]:
    """Start everything, measure the scenarios asked for, print as we go; return the figures."""
    seconds = 4 if args.quick else args.seconds
    figures: dict[str, object] = {"seconds": seconds, "load_average_start": os.getloadavg()}
    print(load_average(), flush=True)
    stack.start_database()
    stack.start_fake()
    services = {"serve": stack.start_service("serve", **SERVICE_ENV)}
    if args.peers:
        for peer in PEERS:
            services[peer] = stack.start_peer(peer)
    for variant in args.variants:
        if variant == "workers-2":  # `medqa serve` itself; CPU and RSS are summed over its process tree
            services[variant] = stack.start_service(f"serve-{variant}", **SERVICE_ENV, MEDQA_WORKERS="2")
        else:
            services[variant] = stack.start_service(f"serve-{variant}", variant, **SERVICE_ENV)
    for name, service in services.items():
        figures[f"startup_{name}_s"] = service.startup_s
        print(f"start-up to first 200 from /healthz: {service.startup_s:.2f} s ({name})", flush=True)
    if 1 in args.only:
        figures.update(scenario_one(args, stack, services, seconds))
    if 2 in args.only:
        figures.update(scenario_two(args, stack, services, seconds))
    if 3 in args.only:
        for name, service in services.items():
            if name != "serve":
                stack.stop_service(service)
        figures.update(scenario_three(stack, services["serve"], seconds))
    print(side_by_side(figures, S2_LATENCY_MS))
    print(load_average(), flush=True)
    return figures


def main() -> int:
    """Parse the arguments, run, always stop what was started."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="4 s per measurement, no variants: a smoke check")
    parser.add_argument("--seconds", type=int, default=20, help="measured seconds per service and scenario")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds when comparing variants")
    parser.add_argument("--only", default="1,2,3", help="scenarios to run, e.g. 1 or 2,3")
    parser.add_argument("--variants", nargs="?", const=",".join(VARIANTS), default="",
                        help=f"also run these variants of serve (default: all of {', '.join(VARIANTS)})")  # fmt: skip
    parser.add_argument("--no-peers", dest="peers", action="store_false", help="leave out the peers of bench/peers/")
    parser.add_argument("--profile", help="directory for a py-spy profile of the service in scenario 1")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    args.only = {int(part) for part in args.only.split(",") if part.strip()}
    args.variants = [part.strip() for part in args.variants.split(",") if part.strip()]
    if not set(args.variants) <= set(VARIANTS):
        parser.error(f"--variants must name some of {', '.join(VARIANTS)}")
    if args.quick:
        args.rounds = 1
    if not 1 <= args.seconds <= 600 or not 1 <= args.rounds <= 10 or not args.only <= {1, 2, 3}:
        parser.error("--seconds must be 1..600, --rounds 1..10 and --only a subset of 1,2,3")
    wrk_path()
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)  # also when started with SIGINT ignored (a background job)
    stack = Stack()
    started = time.monotonic()
    try:
        figures = run(args, stack)
    except KeyboardInterrupt:
        print("interrupted: stopping everything", file=sys.stderr)
        return 130
    finally:
        stack.close()
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    print(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
