"""Added triage time per question: the rules alone against rules + second layer, over the evaluation sets.

    uv run python bench/triage.py [--rounds 20]

Prints the median and p99 per question for each, and the model's own share. Asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from app.safety.rule_engine import load_rules
from app.safety.triage import SECOND_LAYER, triage

SETS = Path(__file__).parents[1] / "tests" / "safety"
NAMES = ("triage_eval.yaml", "triage_holdout.yaml", "triage_fresh_dev.yaml", "triage_fresh_frozen.yaml")


def questions() -> list[str]:
    """Every question of the four evaluation sets."""
    out: list[str] = []
    for name in NAMES:
        out += [case["text"] for case in yaml.safe_load((SETS / name).read_text(encoding="utf-8"))["cases"]]
    return out


def timings(call: Callable[[str], object], texts: list[str], rounds: int) -> list[float]:
    """Microseconds per call, every question once per round, rounds interleaved by the caller's order."""
    out: list[float] = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter_ns()
            call(text)
            out.append((time.perf_counter_ns() - start) / 1000)
    return out


def summary(name: str, values: list[float]) -> str:
    """One line: median and p99 in microseconds."""
    p99 = statistics.quantiles(values, n=100)[98]
    return f"{name:<28} median {statistics.median(values):8.1f} us   p99 {p99:8.1f} us   (n={len(values)})"


def main() -> None:
    """Warm up both paths, then time them in alternating rounds so drift hits both alike."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="passes over every question (default 20)")
    rounds = parser.parse_args().rounds
    if rounds < 1:
        parser.error("--rounds must be at least 1")
    rules, texts = load_rules(), questions()
    for text in texts:
        triage(text)
    alone: list[float] = []
    both: list[float] = []
    model: list[float] = []
    for _ in range(rounds):
        alone += timings(rules.classify, texts, 1)
        both += timings(triage, texts, 1)
        model += timings(SECOND_LAYER.escalation, texts, 1)
    print(f"{len(texts)} questions x {rounds} rounds; second layer {SECOND_LAYER.version}")
    print(summary("rules alone", alone))
    print(summary("rules + second layer", both))
    print(summary("second layer alone", model))
    added = statistics.median(both) - statistics.median(alone)
    print(f"added by the second layer: median {added:.1f} us per question")


if __name__ == "__main__":
    main()
