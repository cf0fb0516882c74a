"""The rules' literal prefilter changes speed only: every question triages exactly as the plain regexes do."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from app.safety.rule_engine import RULES_PATH, TriageRules, load_rules, required_literals

SAFETY = Path(__file__).parents[1] / "safety"
MODEL = Path(__file__).parents[2] / "app" / "safety" / "model"


def _corpus() -> list[str]:
    """Every question of the evaluation sets, every training line and every rule example: several thousand."""
    texts: list[str] = []
    for path in sorted(SAFETY.glob("triage_*.yaml")):
        texts += [case["text"] for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]]
    for path in sorted(MODEL.glob("training*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        texts += [line for line in lines if line.strip() and not line.startswith(("#", "="))]
    raw = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    for rule in raw["rules"]:
        texts += rule["examples"]["positive"] + rule["examples"]["negative"]
    return texts


def test_the_prefilter_gives_the_same_triage_on_every_known_question() -> None:
    """Compared with the same rules without the prefilter (whose frozen-split cases are not printed)."""
    plain = TriageRules(yaml.safe_load(RULES_PATH.read_text(encoding="utf-8")), prefilter=False)
    filtered = load_rules()
    corpus = _corpus()
    assert len(corpus) > 3000
    differ = sum(1 for text in corpus if plain.classify(text) != filtered.classify(text))
    assert differ == 0, f"{differ} of {len(corpus)} questions triage differently with the prefilter"
    assert sum(1 for rule in filtered.rules if rule.needs) >= 30  # the prefilter covers most rules


@pytest.mark.parametrize(
    ("pattern", "needed"),
    [
        (r"\bchest( \w+){0,3} (pain|ache)\b", {"chest"}),
        (r"(a|bc)def(gh)?", {"def"}),  # the longest required run wins over a branch of short ones
        (r"\b(heart attack|cardiac arrest)\b", {"heart attack", "cardiac arrest"}),
        (r"(foo)?bar", {"bar"}),  # an optional part needs nothing
        (r"(blue lips|turning blue)+", {"blue lips", "turning blue"}),  # a repeat of at least one needs its body
    ],
)
def test_required_literals_are_the_ones_every_match_contains(pattern: str, needed: set[str]) -> None:
    assert required_literals(re.compile(pattern)) == needed


@pytest.mark.parametrize(
    "pattern",
    [
        r"(foo)*bar?",  # nothing required of length 3
        r"(?i)chest pain",  # case-insensitive: a lower-case literal would miss "CHEST"
        r"(?i:chest pain)",  # nor inside a case-insensitive group
        r"\w+in\b",
        r"(chest|ab)",  # one branch needs only two letters
    ],
)
def test_patterns_that_need_no_useful_literal_get_no_prefilter(pattern: str) -> None:
    assert required_literals(re.compile(pattern)) is None


def test_every_needed_literal_is_matched_by_its_pattern_somewhere() -> None:
    """Each rule's needs come from its own patterns: a pattern's match always contains one of them."""
    rules = load_rules()
    corpus = [rules.normalise(text) for text in _corpus()]
    for rule in rules.rules:
        for pattern in rule.patterns:
            needed = required_literals(pattern)
            if not needed:
                continue
            for text in corpus:
                for match in pattern.finditer(text):
                    assert any(literal in match.group(0) for literal in needed), (rule.id, pattern.pattern[:60])
