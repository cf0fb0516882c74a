"""The second triage layer: a small logistic-regression model that catches red flags no rule was written for.

Pure Python, CPU only, loaded once at import from `model/weights.json` (rebuilt by `python -m app.safety.train`).
It only ever escalates a question the rules called routine; the rules keep the first word.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

MODEL_PATH = Path(__file__).with_name("model") / "weights.json"
CLASSES = ("routine", "emergency", "crisis")
_NEGATIONS = frozenset({"no", "not", "without", "never", "denies", "nor", "none"})
# Words after which "no"/"not" hedge or form an idiom rather than negate a symptom: "not sure if", "not just",
# and the crisis idioms "no point", "no reason to live", "no way out", "no future", "no hope", "no longer",
# "no one would miss me".
_PSEUDO = frozenset(
    {"sure", "just", "only", "idea", "certain", "point", "reason", "way", "future", "hope", "longer", "one"}
)
_NEGATION_SCOPE = 3
# Function words say nothing alone; in red-flag phrases "and" joins symptoms, so as a feature it would make any
# long sentence look urgent. They still count inside word pairs.
_FUNCTION_WORDS = frozenset(
    "a an and the of to in on at for with from by or is are was were be been it its this that these those as "
    "all any some so then than there their them they we you your our us do does did can could would should will "
    "just also into about over up out if".split()
)
# Character n-grams repeat what their word says ten times over: a lower value keeps one rare word from
# outweighing the rest of the question, while still matching misspellings.
CHAR_VALUE = 0.2
_CLAUSE = re.compile(r"[.;!?,:\n]+| but | however | although ")


def words(text: str) -> list[list[str]]:
    """Lower-case words per clause, apostrophes dropped, everything but letters and digits a space."""
    text = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "").replace("'", "")
    clauses = _CLAUSE.split(f" {text} ")
    return [re.sub(r"[^a-z0-9]+", " ", clause).split() for clause in clauses]


def features(text: str) -> list[str]:
    """Word, word-pair and character 3/4-gram features; a word in a negation's scope is only `n:word`."""
    out: list[str] = []
    for clause in words(text):
        scope = 0
        previous = "^"
        for index, word in enumerate(clause):
            if scope and word not in _NEGATIONS:
                out.append(f"n:{word}")
                scope -= 1
                previous = "~"
                continue
            following = clause[index + 1] if index + 1 < len(clause) else ""
            # "not sure if ...", "not just ..." hedge rather than negate.
            if word in _NEGATIONS and following not in _PSEUDO:
                scope = _NEGATION_SCOPE
            out.append(f"b:{previous} {word}")
            previous = word
            if word not in _FUNCTION_WORDS:
                out.extend(word_features(word))
    return out


@lru_cache(maxsize=1 << 16)
def word_features(word: str) -> tuple[str, ...]:
    """The word feature and its character 3/4-grams (cached: most words of a question were seen before)."""
    padded = f" {word} "
    grams = (f"c:{padded[i : i + n]}" for n in (3, 4) for i in range(len(padded) - n + 1))
    return (f"w:{word}", *grams)


def vector(text: str) -> dict[str, float]:
    """The features of `text` with their values, scaled to unit length so long questions are not louder."""
    values = {feature: CHAR_VALUE if feature.startswith("c:") else 1.0 for feature in features(text)}
    norm = math.sqrt(sum(value * value for value in values.values())) or 1.0
    return {feature: value / norm for feature, value in values.items()}


@dataclass(frozen=True, slots=True)
class Model:
    """Weights per class and feature, biases, the escalation threshold picked on the dev split."""

    version: str
    weights: dict[str, tuple[float, float, float]]
    bias: tuple[float, float, float]
    threshold: float

    def probabilities(self, text: str) -> tuple[float, float, float]:
        """Softmax over (routine, emergency, crisis): `vector(text)` against the weights, in one pass."""
        unique = set(features(text))
        chars = 0
        word_sum = [0.0, 0.0, 0.0]
        char_sum = [0.0, 0.0, 0.0]
        weights = self.weights
        for feature in unique:
            is_char = feature.startswith("c:")
            chars += is_char
            weight = weights.get(feature)
            if weight is not None:
                acc = char_sum if is_char else word_sum
                acc[0] += weight[0]
                acc[1] += weight[1]
                acc[2] += weight[2]
        norm = math.sqrt(len(unique) - chars + chars * CHAR_VALUE * CHAR_VALUE) or 1.0
        totals = [self.bias[k] + (word_sum[k] + CHAR_VALUE * char_sum[k]) / norm for k in range(3)]
        top = max(totals)
        exps = [math.exp(total - top) for total in totals]
        norm = sum(exps)
        return (exps[0] / norm, exps[1] / norm, exps[2] / norm)

    def escalation(self, text: str) -> Literal["emergency", "crisis"] | None:
        """The level to escalate a routine question to, or None when the model is not confident enough."""
        _, emergency, crisis = self.probabilities(text)
        if emergency + crisis < self.threshold:
            return None
        return "crisis" if crisis > emergency else "emergency"


def load(path: Path = MODEL_PATH) -> Model:
    """The model from its JSON file; a broken file fails at import, never silently at triage time."""
    data = json.loads(path.read_text(encoding="utf-8"))
    weights = {str(k): (float(v[0]), float(v[1]), float(v[2])) for k, v in data["weights"].items()}
    bias = data["bias"]
    return Model(str(data["version"]), weights, (bias[0], bias[1], bias[2]), float(data["threshold"]))
