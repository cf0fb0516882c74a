"""The triage against the labelled evaluation sets: recall on red flags, false positives on look-alikes.

Two sets, written by people who had not seen the rules: `triage_eval.yaml` (used to tune them) and
`triage_holdout.yaml`, measured untouched first (recall 80.0%, false positives 1.3% with rules version
2026-11-25.1) and only then used to tune version 2026-11-25.2. That first figure is the honest measure of how
rules generalise to new phrasing: each release should add a fresh held-out set and report it before tuning.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.safety.triage import triage

HERE = Path(__file__).parent
SETS = ("triage_eval.yaml", "triage_holdout.yaml")
MIN_RECALL = 0.98
MAX_FALSE_POSITIVE_RATE = 0.10


def load(name: str) -> list[dict[str, str]]:
    return list(yaml.safe_load((HERE / name).read_text(encoding="utf-8"))["cases"])


@pytest.mark.parametrize("name", SETS)
def test_evaluation_set_is_big_and_balanced(name: str) -> None:
    cases = load(name)
    urgent = [case for case in cases if case["label"] != "routine"]
    assert len(cases) >= 130
    assert len(urgent) >= 65 and len(cases) - len(urgent) >= 60


@pytest.mark.parametrize("name", SETS)
def test_recall_and_false_positive_rate(name: str) -> None:
    cases = load(name)
    urgent = [case for case in cases if case["label"] != "routine"]
    routine = [case for case in cases if case["label"] == "routine"]
    missed = [case["text"] for case in urgent if triage(case["text"]).level == "routine"]
    flagged = [case["text"] for case in routine if triage(case["text"]).level != "routine"]
    recall = 1 - len(missed) / len(urgent)
    false_positive_rate = len(flagged) / len(routine)
    print(
        f"\ntriage evaluation ({name}): {len(urgent)} emergency+crisis, {len(routine)} routine; "
        f"recall {recall:.1%} (missed {len(missed)}), false-positive rate {false_positive_rate:.1%} "
        f"(flagged {len(flagged)})"
    )
    for text in missed:
        print(f"  missed:  {text}")
    for text in flagged:
        print(f"  flagged: {text}")
    assert recall >= MIN_RECALL, missed
    assert false_positive_rate <= MAX_FALSE_POSITIVE_RATE, flagged


def test_the_two_sets_are_both_at_least_150_together_and_disjoint() -> None:
    first, second = ({case["text"] for case in load(name)} for name in SETS)
    assert len(first) >= 150 and not first & second
