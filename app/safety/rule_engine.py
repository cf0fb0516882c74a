"""The rule engine of triage: emergency, crisis or routine from the rules in rules/triage.yaml."""

from __future__ import annotations

import re
import re._constants as sre_constants  # the parser's opcodes: to read which literals a pattern needs
import re._parser as sre_parse
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import ahocorasick
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
    # For each pattern whose matches must contain one of a few literal strings: those strings. A text that
    # lacks every string of one of them cannot fire the rule; TriageRules finds them all in one pass.
    needs: tuple[frozenset[str], ...] = ()


@dataclass(frozen=True, slots=True)
class Triage:
    """The outcome: a level, the rules that fired, and the rules version."""

    level: Level
    rules: tuple[str, ...]
    version: str
    crisis_too: bool = False


class TriageRules:
    """The compiled rule set."""

    def __init__(self, data: dict[str, Any], *, prefilter: bool = True) -> None:
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
        self.rules = tuple(_rule(rule, prefilter) for rule in data["rules"])
        # Every literal the rules need, in one Aho-Corasick automaton: one pass over a question finds them all.
        self.literals = ahocorasick.Automaton()
        for literal in {literal for rule in self.rules for needed in rule.needs for literal in needed}:
            self.literals.add_word(literal, literal)
        self.literals.make_automaton()

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

    def found(self, text: str) -> set[str]:
        """The rules' needed literals that occur in normalised `text`."""
        if not len(self.literals):
            return set()
        return {literal for _end, literal in self.literals.iter(text)}

    def fires(self, rule: Rule, text: str, personal: bool, found: set[str]) -> bool:
        """Whether `rule` fires on normalised `text`, in which `found` are the literals present."""
        if rule.personal and not personal:
            return False
        for needed in rule.needs:
            if needed.isdisjoint(found):
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
        found = self.found(text)
        fired = [rule for rule in self.rules if self.fires(rule, text, personal, found)]
        if fired and self.downgraded(text):
            fired = []
        levels = {rule.level for rule in fired}
        level: Level = "emergency" if "emergency" in levels else "crisis" if "crisis" in levels else "routine"
        return Triage(level, tuple(rule.id for rule in fired), self.version, crisis_too="crisis" in levels)


def _rule(rule: dict[str, Any], prefilter: bool) -> Rule:
    patterns = tuple(re.compile(p.replace(_GAP, _GAP_NO_NEGATION)) for p in rule["all"])
    needs = tuple(found for found in map(required_literals, patterns) if found) if prefilter else ()
    return Rule(
        id=rule["id"],
        level=rule["level"],
        patterns=patterns,
        exclusions=tuple(re.compile(p) for p in rule.get("none", [])),
        personal=bool(rule.get("personal", False)),
        needs=needs,
    )


def required_literals(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Literal strings of which every match of `pattern` contains at least one, or None if none are known.

    Read from the parsed pattern, conservatively: a literal run counts only where the pattern must match it
    (never inside an optional part), an alternation gives the union of what each branch needs, and anything
    else (classes, wildcards, assertions, backreferences) needs nothing. Flags that change what a literal
    matches (IGNORECASE) give None.
    """
    if pattern.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    found = _needed(sre_parse.parse(pattern.pattern, pattern.flags))
    return frozenset(found) if found and min(map(len, found)) >= _USEFUL else None


_USEFUL = 3  # shorter literals are in nearly every text: checking them saves nothing


def _needed(items: Any) -> set[str] | None:
    """What a sequence of parsed items needs: the best of its literal runs and its required sub-parts."""
    candidates: list[set[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is sre_constants.LITERAL:
            run.append(chr(av))
            continue
        if run:
            candidates.append({"".join(run)})
            run = []
        if op is sre_constants.SUBPATTERN:
            sub = None if av[1] & re.IGNORECASE else _needed(av[-1])  # (?i:...) matches other cases
        elif op is sre_constants.BRANCH:
            branches = [_needed(branch) for branch in av[1]]
            sub = None if any(b is None for b in branches) else set().union(*branches)  # type: ignore[arg-type]
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT):
            sub = _needed(av[2]) if av[0] >= 1 else None
        else:
            sub = None
        if sub:
            candidates.append(sub)
    if run:
        candidates.append({"".join(run)})
    if not candidates:
        return None
    return max(candidates, key=lambda c: (min(map(len, c)), -len(c)))


@cache
def load_rules(path: Path = RULES_PATH) -> TriageRules:
    """The rule set from its YAML file (read once per process)."""
    return TriageRules(yaml.safe_load(path.read_text(encoding="utf-8")))
