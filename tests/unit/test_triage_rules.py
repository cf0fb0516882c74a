"""One test per triage rule: its own positive examples fire it, its negative examples do not."""

from __future__ import annotations

import pytest
import yaml

from app.safety.triage import RULES_PATH, load_rules, triage

RAW = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
CASES = [
    pytest.param(rule["id"], rule["level"], example, expected, id=f"{rule['id']}-{kind}-{n}")
    for rule in RAW["rules"]
    for kind, expected in (("positive", True), ("negative", False))
    for n, example in enumerate(rule["examples"][kind])
]


def test_every_rule_has_a_source_and_both_kinds_of_example() -> None:
    for rule in RAW["rules"]:
        assert rule["source"], rule["id"]
        assert rule["examples"]["positive"] and rule["examples"]["negative"], rule["id"]
        assert rule["level"] in ("emergency", "crisis")
    assert len({rule["id"] for rule in RAW["rules"]}) == len(RAW["rules"])


@pytest.mark.parametrize(("rule_id", "level", "text", "fires"), CASES)
def test_rule_examples(rule_id: str, level: str, text: str, fires: bool) -> None:
    result = triage(text)
    assert (rule_id in result.rules) is fires, (text, result)
    if fires:
        assert result.level in (level, "emergency")


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("No chest pain. My arm hurts after lifting boxes.", "routine"),
        ("no chest pain but her face is drooping and she cannot lift her arm", "emergency"),
        ("Not sure if this is chest pain spreading to my jaw", "emergency"),
        ("CANT BREATH!!!", "emergency"),
        ("my husbnd has cheast pain going into his left arm", "emergency"),
        ("i took 30 paracetamol to end my life", "emergency"),
        ("", "routine"),
    ],
)
def test_negation_misspelling_and_priority(text: str, level: str) -> None:
    assert triage(text).level == level


def test_emergency_with_crisis_keeps_both() -> None:
    result = triage("i took 30 paracetamol to end my life")
    assert result.level == "emergency" and result.crisis_too


def test_version_is_reported() -> None:
    assert triage("hello").version == load_rules().version == RAW["version"]
