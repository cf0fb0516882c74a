"""The rule engine of triage: emergency, crisis or routine from the rules in rules/triage.yaml."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

Level = Literal["routine", "emergency", "crisis"]
RULES_PATH = Path(__file__).with_name("rules") / "triage.yaml"
_CLAUSE_BREAK = re.compile(r"[.;!?,:\n]| but | however | although ")
# Pattern gaps written "( \\w+){0,N}" may not cross a negation ("face is not drooping").
_GAP = "( \\w+)"
_GAP_NO_NEGATION = "( (?!(?:not|no|never|without)\\b)\\w+)"


@dataclass(frozen=True, slots=True)
class Rule:
    """One red-flag rule: every pattern must match; the first must not be negated."""

    id: str
    level: Level
    patterns: tuple[re.Pattern[str], ...]
    exclusions: tuple[re.Pattern[str], ...]
    personal: bool


@dataclass(frozen=True, slots=True)
class Triage:
    """The outcome: a level, the rules that fired, and the rules version."""

    level: Level
    rules: tuple[str, ...]
    version: str
    crisis_too: bool = False


class TriageRules:
    """The compiled rule set."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.version = str(data["version"])
        negation = data["negation"]
        self.window = int(negation["window"])
        self.cues = tuple(str(cue) for cue in negation["cues"])
        self.pseudo = tuple(str(p) for p in negation["pseudo"])
        self.general = re.compile(data["general_question"])
        self.personal = re.compile(data["personal_markers"])
        downgrade = data["downgrade"]
        self.resolved = re.compile(downgrade["resolved"])
        self.hypothetical = re.compile(downgrade["hypothetical"])
        self.urgent = re.compile(downgrade["urgent"])
        self.spelling = {str(k).lower(): str(v) for k, v in data["spelling"].items()}
        self.rules = tuple(
            Rule(
                id=rule["id"],
                level=rule["level"],
                patterns=tuple(re.compile(p.replace(_GAP, _GAP_NO_NEGATION)) for p in rule["all"]),
                exclusions=tuple(re.compile(p) for p in rule.get("none", [])),
                personal=bool(rule.get("personal", False)),
            )
            for rule in data["rules"]
        )

    def normalise(self, text: str) -> str:
        """Lower case, plain apostrophes removed, misspellings fixed, spaces collapsed; clause marks kept."""
        text = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'").replace("'", "")
        text = re.sub(r"([.;!?,:])", r" \1 ", text)
        text = re.sub(r"[^a-z0-9.;!?,:\s/-]", " ", text).replace("-", " ").replace("/", " ")
        words = [self.spelling.get(word, word) for word in text.split()]
        return " " + " ".join(words) + " "

    def negated(self, text: str, start: int) -> bool:
        """True when a negation cue stands among the `window` words before `start`, in the same clause."""
        before = text[:start]
        clause = _CLAUSE_BREAK.split(before)[-1]
        words = clause.split()[-self.window :]
        window = " " + " ".join(words) + " "
        after = text[start:]
        for cue in self.cues:
            index = window.find(f" {cue} ")
            if index < 0:
                continue
            tail = (window[index + 1 :] + after.lstrip()).strip()
            if not any(tail.startswith(pseudo) for pseudo in self.pseudo):
                return True
        return False

    def fires(self, rule: Rule, text: str, personal: bool) -> bool:
        """Whether `rule` fires on normalised `text`."""
        if rule.personal and not personal:
            return False
        anchor, *others = rule.patterns
        if not any(not self.negated(text, match.start()) for match in anchor.finditer(text)):
            return False
        if not all(pattern.search(text) for pattern in others):
            return False
        return not any(pattern.search(text) for pattern in rule.exclusions)

    def downgraded(self, text: str) -> bool:
        """Past, resolved or hypothetical, and nothing said to be happening now."""
        resolved = self.resolved.search(text) is not None
        if not resolved and self.hypothetical.search(text) is None:
            return False
        return self.urgent.search(self.resolved.sub(" ", text)) is None

    def classify(self, question: str) -> Triage:
        """Triage one question: emergency wins over crisis (an overdose needs an ambulance first)."""
        text = self.normalise(question)
        stripped = text.strip()
        personal = bool(self.personal.search(text)) or not self.general.match(stripped)
        fired = [rule for rule in self.rules if self.fires(rule, text, personal)]
        if fired and self.downgraded(text):
            fired = []
        levels = {rule.level for rule in fired}
        level: Level = "emergency" if "emergency" in levels else "crisis" if "crisis" in levels else "routine"
        return Triage(level, tuple(rule.id for rule in fired), self.version, crisis_too="crisis" in levels)


@cache
def load_rules(path: Path = RULES_PATH) -> TriageRules:
    """The rule set from its YAML file (read once per process)."""
    return TriageRules(yaml.safe_load(path.read_text(encoding="utf-8")))
