"""Deterministic triage of a question into emergency, crisis or routine, before the model is ever called.

The rules (`rule_engine.py`, rules/triage.yaml) have the first word. Where they say routine, the second layer
(`second_layer.py`, a small local model loaded at import) may escalate (it learnt past, negated and general
phrasing from its training data). Neither calls the network, so triage works when Gemini is down.
"""

from __future__ import annotations

from app.safety import second_layer
from app.safety.rule_engine import RULES_PATH, Level, Rule, Triage, TriageRules, load_rules

__all__ = ["RULES_PATH", "SECOND_LAYER", "Level", "Rule", "Triage", "TriageRules", "load_rules", "triage"]

SECOND_LAYER = second_layer.load()


def triage(question: str) -> Triage:
    """Triage a question: the packaged rules first, then the second layer for what they call routine."""
    rules = load_rules()
    result = rules.classify(question)
    if result.level != "routine":
        return result
    level = SECOND_LAYER.escalation(question)
    if level is None:
        return result
    return Triage(level, (f"second_layer:{SECOND_LAYER.version}",), result.version)
