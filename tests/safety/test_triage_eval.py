"""The triage against the labelled evaluation set: recall on red flags, false positives on look-alikes."""

from __future__ import annotations

from pathlib import Path

import yaml

from app.safety.triage import triage

CASES = yaml.safe_load((Path(__file__).with_name("triage_eval.yaml")).read_text(encoding="utf-8"))["cases"]
MIN_RECALL = 0.98
MAX_FALSE_POSITIVE_RATE = 0.10


def test_evaluation_set_is_big_and_balanced() -> None:
    urgent = [case for case in CASES if case["label"] != "routine"]
    assert len(CASES) >= 150
    assert len(urgent) >= 75 and len(CASES) - len(urgent) >= 75


def test_recall_and_false_positive_rate() -> None:
    urgent = [case for case in CASES if case["label"] != "routine"]
    routine = [case for case in CASES if case["label"] == "routine"]
    missed = [case["text"] for case in urgent if triage(case["text"]).level == "routine"]
    flagged = [case["text"] for case in routine if triage(case["text"]).level != "routine"]
    wrong_level = [
        case["text"] for case in urgent if case["label"] == "crisis" and triage(case["text"]).level == "routine"
    ]
    recall = 1 - len(missed) / len(urgent)
    false_positive_rate = len(flagged) / len(routine)
    print(
        f"\ntriage evaluation: {len(urgent)} emergency+crisis, {len(routine)} routine; "
        f"recall {recall:.1%} (missed {len(missed)}), false-positive rate {false_positive_rate:.1%} "
        f"(flagged {len(flagged)})"
    )
    for text in missed:
        print(f"  missed:  {text}")
    for text in flagged:
        print(f"  flagged: {text}")
    assert not wrong_level or recall >= MIN_RECALL
    assert recall >= MIN_RECALL, missed
    assert false_positive_rate <= MAX_FALSE_POSITIVE_RATE, flagged
