"""The triage against the labelled evaluation sets: recall on red flags, false positives on look-alikes.

Six sets, each written by people who had not seen the rules: `triage_eval.yaml` (used to tune them),
`triage_holdout.yaml` (measured untouched first, then tuned on), and the two fresh sets of issue #18, each split
once: `triage_fresh_dev.yaml` and `triage_fresh_seen.yaml` (the first set; its frozen split was retired once its
misses had been printed), `triage_fresh2_dev.yaml` and `triage_fresh2_frozen.yaml` (the second, written blind).
`triage_fresh2_frozen.yaml` is only measured, never tuned or trained on: the honest figure of how rules and the
second layer generalise. Its cases are not printed (MEDQA_SHOW_FROZEN_MISSES=1 lists them, for docs/safety.md,
when a release is final), so nobody tunes on them by accident. Each release should add a fresh held-out set.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from app.safety.triage import triage

HERE = Path(__file__).parent
OLD_SETS = ("triage_eval.yaml", "triage_holdout.yaml")
FRESH_SETS = ("triage_fresh_dev.yaml", "triage_fresh_seen.yaml")
FRESH2_SETS = ("triage_fresh2_dev.yaml", "triage_fresh2_frozen.yaml")
ALL_SETS = OLD_SETS + FRESH_SETS + FRESH2_SETS
FROZEN = frozenset({"triage_fresh2_frozen.yaml"})
# The first two sets gated at 98% before issue #18; the 95% applies to its fresh splits.
GOAL_RECALL = 0.95
MIN_RECALL = {"triage_eval.yaml": 0.98, "triage_holdout.yaml": 0.98} | dict.fromkeys(
    FRESH_SETS + FRESH2_SETS, GOAL_RECALL
)
MAX_FALSE_POSITIVE_RATE = 0.10


def load(name: str) -> list[dict[str, str]]:
    return list(yaml.safe_load((HERE / name).read_text(encoding="utf-8"))["cases"])


def wilson_lower(hits: int, n: int, z: float = 1.96) -> float:
    """The 95% Wilson score lower bound of a proportion."""
    if n == 0:
        return 0.0
    p = hits / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n)


def category_table(urgent: list[dict[str, str]], missed: set[str]) -> list[str]:
    """One line per category: caught / total, recall and its Wilson lower bound."""
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for case in urgent:
        by_kind[case["kind"]].append(case["text"] not in missed)
    lines = [f"  {'category':<20} {'caught':>7} {'recall':>7} {'wilson95':>9}"]
    for kind, caught in sorted(by_kind.items()):
        hits, n = sum(caught), len(caught)
        lines.append(f"  {kind:<20} {hits:>3}/{n:<3} {hits / n:>7.1%} {wilson_lower(hits, n):>9.1%}")
    return lines


@pytest.mark.parametrize("name", ALL_SETS)
def test_evaluation_set_is_big_and_balanced(name: str) -> None:
    cases = load(name)
    urgent = [case for case in cases if case["label"] != "routine"]
    assert len(cases) >= 130
    assert len(urgent) >= 65 and len(cases) - len(urgent) >= 60
    assert {case["label"] for case in cases} <= {"emergency", "crisis", "routine"}


@pytest.mark.parametrize("name", ALL_SETS)
def test_recall_and_false_positive_rate(name: str) -> None:
    cases = load(name)
    urgent = [case for case in cases if case["label"] != "routine"]
    routine = [case for case in cases if case["label"] == "routine"]
    missed = [case["text"] for case in urgent if triage(case["text"]).level == "routine"]
    flagged = [case["text"] for case in routine if triage(case["text"]).level != "routine"]
    recall = 1 - len(missed) / len(urgent)
    lower = wilson_lower(len(urgent) - len(missed), len(urgent))
    false_positive_rate = len(flagged) / len(routine)
    print(
        f"\ntriage evaluation ({name}): {len(urgent)} emergency+crisis, {len(routine)} routine; "
        f"recall {recall:.1%} (missed {len(missed)}, wilson95 {lower:.1%}), "
        f"false-positive rate {false_positive_rate:.1%} (flagged {len(flagged)}); "
        f"goal recall {GOAL_RECALL:.0%}: {'met' if recall >= GOAL_RECALL else 'NOT MET'}"
    )
    print("\n".join(category_table(urgent, set(missed))))
    if name in FROZEN and os.environ.get("MEDQA_SHOW_FROZEN_MISSES") != "1":
        missed, flagged = [f"{len(missed)} frozen cases"], [f"{len(flagged)} frozen cases"]
    for text in missed:
        print(f"  missed:  {text}")
    for text in flagged:
        print(f"  flagged: {text}")
    assert recall >= MIN_RECALL[name], missed
    assert false_positive_rate <= MAX_FALSE_POSITIVE_RATE, flagged


def test_the_sets_are_big_enough_together_and_disjoint() -> None:
    texts = [{case["text"].casefold() for case in load(name)} for name in ALL_SETS]
    assert len(texts[0]) >= 150 and len(texts[2] | texts[3]) >= 300 and len(texts[4] | texts[5]) >= 300
    for i, first in enumerate(texts):
        for second in texts[i + 1 :]:
            assert not first & second


@pytest.mark.parametrize("pair", [FRESH_SETS, FRESH2_SETS], ids=["fresh", "fresh2"])
def test_each_fresh_set_has_at_least_15_categories_and_150_red_flags(pair: tuple[str, str]) -> None:
    cases = load(pair[0]) + load(pair[1])
    urgent = [case for case in cases if case["label"] != "routine"]
    assert len(urgent) >= 150 and len(cases) - len(urgent) >= 150
    assert len({case["kind"] for case in urgent}) >= 15
    assert len(load(pair[1])) >= len(cases) / 3
