"""The redactor against the synthetic set: recall per identifier kind, and medical content left intact."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from app.safety import redaction
from app.safety.redaction import KINDS, redact

HERE = Path(__file__).parent
CASES = yaml.safe_load((HERE / "redaction_cases.yaml").read_text(encoding="utf-8"))["cases"]
MIN_RECALL = 0.95


def test_set_covers_every_kind() -> None:
    assert len(CASES) >= 100
    kinds = Counter(item["kind"] for case in CASES for item in case["pii"])
    assert set(kinds) == set(KINDS)


def test_recall_per_kind_and_no_damage_to_medical_content() -> None:
    found, total, damaged, leaks = Counter[str](), Counter[str](), [], []
    for case in CASES:
        result = redact(case["text"])
        for item in case["pii"]:
            total[item["kind"]] += 1
            if item["value"] not in result.text:
                found[item["kind"]] += 1
            else:
                leaks.append(f"{item['kind']}: {item['value']!r} in {result.text!r}")
        damaged += [f"{keep!r} in {result.text!r}" for keep in case.get("keep", []) if keep not in result.text]
    print("\nredaction recall per kind:")
    for kind in KINDS:
        print(f"  {kind:<12} {found[kind]}/{total[kind]} = {found[kind] / total[kind]:.1%}")
    for leak in leaks:
        print(f"  leaked: {leak}")
    for damage in damaged:
        print(f"  damaged: {damage}")
    low = {kind: found[kind] / total[kind] for kind in KINDS if found[kind] / total[kind] < MIN_RECALL}
    assert not low, low
    assert not damaged


@pytest.mark.parametrize("case", [case for case in CASES if not case["pii"]][:5])
def test_text_without_personal_data_is_unchanged(case: dict[str, object]) -> None:
    result = redact(str(case["text"]))
    assert result.text == case["text"] and result.kinds == []


def test_the_digit_and_at_sign_shortcut_never_changes_a_redaction(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every detector but the names' is skipped on text without a digit (or an "@"): run them all and compare."""
    texts = [str(case["text"]) for case in CASES]
    texts += [
        case["text"]
        for path in HERE.glob("triage_*.yaml")
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    ]
    texts += ["write to jo at jo.bloggs@example.com", "born on the third of may", "my name is Ann Smith", "MRN ABC"]
    shortcut = [redaction.redact(text) for text in texts]
    monkeypatch.setattr(redaction, "DETECTORS", tuple((find, redaction._always) for find, _ in redaction.DETECTORS))
    assert [redaction.redact(text) for text in texts] == shortcut
