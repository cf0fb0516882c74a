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
NAMES = (
    "triage_eval.yaml",
    "triage_holdout.yaml",
    "triage_fresh_dev.yaml",
    "triage_fresh_seen.yaml",
    "triage_fresh2_dev.yaml",
)


def questions() -> list[str]:
    """Every question of the development sets (timing only; the frozen split is left alone)."""
    out: list[str] = []
    for name in NAMES:
        out += [case["text"] for case in yaml.safe_load((SETS / name).read_text(encoding="utf-8"))["cases"]]
    return out


def timed(call: Callable[[str], object], text: str) -> float:
    """Microseconds for one call."""
    start = time.perf_counter_ns()
    call(text)
    return (time.perf_counter_ns() - start) / 1000


def per_question(samples: list[list[float]]) -> list[float]:
    """Each question's median over the rounds: scheduler noise on a shared machine drops out, slow texts stay."""
    return [statistics.median(rounds) for rounds in samples]


def summary(name: str, values: list[float]) -> str:
    """One line: median and p99 in microseconds."""
    p99 = statistics.quantiles(values, n=100)[98]
    return f"{name:<28} median {statistics.median(values):8.1f} us   p99 {p99:8.1f} us"


def main() -> None:
    """Warm up, then time rules alone, rules + second layer and the layer alone, interleaved per question.

    The layer runs only when the rules say routine, so the added time is shown over those questions.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="passes over every question (default 20)")
    rounds = parser.parse_args().rounds
    if rounds < 1:
        parser.error("--rounds must be at least 1")
    rules, texts = load_rules(), questions()
    for text in texts:
        triage(text)
    paths: dict[str, Callable[[str], object]] = {
        "rules alone": rules.classify,
        "rules + second layer": triage,
        "second layer alone": SECOND_LAYER.escalation,
    }
    samples: dict[str, list[list[float]]] = {name: [[] for _ in texts] for name in paths}
    for _ in range(rounds):
        for index, text in enumerate(texts):
            alone, both = timed(rules.classify, text), timed(triage, text)
            samples["rules alone"][index].append(alone)
            samples["rules + second layer"][index].append(both)
            samples["second layer alone"][index].append(timed(SECOND_LAYER.escalation, text))
    print(
        f"{len(texts)} questions x {rounds} rounds, second layer {SECOND_LAYER.version}; "
        "per question, the median of its rounds:"
    )
    for name in paths:
        print(summary(name, per_question(samples[name])))
    alone_q, both_q = per_question(samples["rules alone"]), per_question(samples["rules + second layer"])
    routine = [rules.classify(text).level == "routine" for text in texts]
    added = [both - alone for both, alone, asked in zip(both_q, alone_q, routine, strict=True) if asked]
    print(summary("added, rules said routine", added) + f"   ({len(added)} questions: the layer runs only there)")
    every = [value for rounds_ in samples["rules + second layer"] for value in rounds_]
    print(summary("rules + layer, every call", every) + "   (includes scheduler noise)")


if __name__ == "__main__":
    main()
