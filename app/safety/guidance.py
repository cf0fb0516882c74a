"""Fixed emergency and crisis guidance per locale, from rules/guidance.yaml; never from the model."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from app.safety.triage import Triage

GUIDANCE_PATH = Path(__file__).with_name("rules") / "guidance.yaml"


@cache
def locales() -> dict[str, dict[str, str]]:
    """Every locale's texts (read once per process)."""
    data = yaml.safe_load(GUIDANCE_PATH.read_text(encoding="utf-8"))
    return {str(name): {str(k): str(v) for k, v in texts.items()} for name, texts in data["locales"].items()}


def guidance_for(result: Triage, locale: str) -> str | None:
    """The text that must open the answer, or None for a routine question."""
    if result.level == "routine":
        return None
    texts = locales()[locale]
    parts = [texts[result.level]]
    if result.level == "emergency" and result.crisis_too:
        parts.append(texts["crisis"])
    return "\n\n".join(parts)
