"""Rebuild the second triage layer: `python -m app.safety.train` writes app/safety/model/weights.json.

Trains on the model/training*.txt files only (plain SGD, softmax over routine/emergency/crisis, stdlib Python) and
picks the escalation threshold on the development sets of tests/safety (`DEV_SETS`), never on a frozen split.
Deterministic: the same inputs give the same file. `--cv K` prints K-fold cross-validation figures instead.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from pathlib import Path

import yaml

from app.safety import second_layer
from app.safety.rule_engine import load_rules

HERE = Path(__file__).parent
TRAINING_PATH = HERE / "model" / "training.txt"
EVAL_DIR = HERE.parents[1] / "tests" / "safety"
# Every labelled set whose misses may be read; the frozen split (triage_fresh2_frozen.yaml) is never one of them.
DEV_SETS = (
    "triage_eval.yaml",
    "triage_holdout.yaml",
    "triage_fresh_dev.yaml",
    "triage_fresh_seen.yaml",
    "triage_fresh2_dev.yaml",
)
LOWEST_THRESHOLD = 0.3
SEED = 18
EPOCHS = 10
RATE = 1.0
# Chosen by 5-fold cross-validation on the training lines (recall 94.3% -> 96.0% from 1e-4); more epochs, other
# character-n-gram values and a wider negation list moved nothing beyond one or two lines.
L2 = 1e-3
PRUNE = 0.01
MAX_DEV_FALSE_POSITIVE_RATE = 0.05

Example = tuple[str, int]
RELATIVES = (
    "my mum",
    "my dad",
    "my husband",
    "my wife",
    "my son",
    "my daughter",
    "my friend",
    "my partner",
    "my nan",
    "my boyfriend",
    "my girlfriend",
    "my brother",
    "my sister",
    "our baby",
    "my neighbour",
)
TIMES = ("10 mins", "half an hour", "an hour", "20 minutes", "a couple of hours", "5 min")
PRESENT = (
    "{p}",
    "i have {p}",
    "{r} has {p}",
    "{p}, started {t} ago",
    "help please, {p} right now",
    "{p} what do i do",
    "is this serious? {p} since this morning",
    "not sure if im overreacting but {r} has {p}",
    "{p} and its getting worse",
    "you know when you get {p}? thats happening to me now",
    "sorry to bother you, {r} has {p} and i dont know what to do",
    "{r} {p} tonight",
    "i think i have {p}",
    "{r} is having {p}",
    "{p} for the last hour",
    "since last night {p}",
    "{p}??",
    "its {r}, {p}",
    "i woke up with {p}",
    "{r} has {p}, should we call someone",
)
ROUTINE = (
    "{r} had {p} two years ago, how can we stop it happening again",
    "what causes {p}",
    "no {p}, just a mild cold",
    "i have never had {p}, how can i lower my risk",
    "for a first aid class, what should someone do about {p}",
    "as a child i had {p}, can it come back",
    "what is the treatment for {p} in general",
    "{r} had {p} last year and is fine now",
)


CATEGORIES = frozenset(
    "stroke chest_pain unconscious anaphylaxis breathing overdose_poisoning suicide_self_harm bleeding head_injury "
    "sepsis_meningitis infant pregnancy diabetic seizure burns testicular cauda_equina abdominal choking drowning "
    "everyday "
    "hypothermia_heat electric_shock vision_loss psychosis_danger general lookalike".split()
)
KINDS = ("urgent", "mild", "sentence")
Key = tuple[str, str, str]


def training_paths() -> list[Path]:
    """training.txt first, then every other model/training*.txt in name order."""
    others = sorted(path for path in TRAINING_PATH.parent.glob("training*.txt") if path != TRAINING_PATH)
    return [TRAINING_PATH, *others]


def section_key(header: str, where: str) -> Key:
    """(kind, category, level) from a '= KIND [CATEGORY] LEVEL' header; a malformed header is a ValueError."""
    parts = header[2:].split()
    if len(parts) not in (2, 3):
        raise ValueError(f"{where}: a section header is '= KIND [CATEGORY] LEVEL', not {header!r}")
    kind, level = parts[0], parts[-1]
    category = parts[1] if len(parts) == 3 else ""
    if kind not in KINDS:
        raise ValueError(f"{where}: unknown section kind {kind!r} (one of {', '.join(KINDS)})")
    if level not in second_layer.CLASSES:
        raise ValueError(f"{where}: unknown level {level!r} (one of {', '.join(second_layer.CLASSES)})")
    if category and category not in CATEGORIES:
        raise ValueError(f"{where}: unknown category {category!r}")
    if kind == "urgent" and (level == "routine" or not category):
        raise ValueError(f"{where}: an 'urgent' section needs a category and the level emergency or crisis")
    if kind == "mild" and level != "routine":
        raise ValueError(f"{where}: 'mild' sections are routine")
    return (kind, category, level)


def sections(*paths: Path) -> dict[Key, list[str]]:
    """The sections of the training files (all of them by default): (kind, category, level) -> lines."""
    out: dict[Key, list[str]] = {}
    for path in paths or training_paths():
        key: Key | None = None
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("="):
                key = section_key(line, f"{path.name}:{number}")
                out.setdefault(key, [])
            elif key is None:
                raise ValueError(f"{path.name}:{number}: a line before the first '= ' section: {line!r}")
            else:
                out[key].append(line)
    return out


def typo(text: str, rng: random.Random) -> str:
    """One dropped or doubled letter, as people type on a phone."""
    index = rng.randrange(len(text))
    return text[:index] + text[index + 1 :] if rng.random() < 0.5 else text[:index] + text[index] + text[index:]


def expand(kind: str, level: str, line: str, rng: random.Random) -> list[Example]:
    """The training examples one line of the file gives: a sentence as is, a phrase placed in frames."""
    label = second_layer.CLASSES.index(level)
    if kind == "sentence":
        return [(line, label), (typo(line, rng), label)]
    if kind == "mild":
        # The same frames around a mild complaint: the frame alone must never make a red flag.
        return [
            (frame.format(p=line, r=rng.choice(RELATIVES), t=rng.choice(TIMES)), 0)
            for frame in rng.sample(PRESENT + ROUTINE, 5)
        ]
    out = [
        (frame.format(p=line, r=rng.choice(RELATIVES), t=rng.choice(TIMES)), label) for frame in rng.sample(PRESENT, 7)
    ]
    out += [(frame.format(p=line, r=rng.choice(RELATIVES)), 0) for frame in rng.sample(ROUTINE, 3)]
    return [*out, (typo(line, rng), label)]


def source_lines(data: dict[Key, list[str]] | None = None) -> list[tuple[str, str, str]]:
    """Every line of the training files as (kind, level, line)."""
    return [(kind, level, line) for (kind, _, level), lines in (data or sections()).items() for line in lines]


def examples(rng: random.Random, lines: list[tuple[str, str, str]] | None = None) -> list[Example]:
    """Every training example: phrases in present frames (urgent) and past, negated or general frames (routine)."""
    return [example for kind, level, line in lines or source_lines() for example in expand(kind, level, line, rng)]


def fit(data: list[Example], rng: random.Random) -> tuple[dict[str, list[float]], list[float]]:
    """Plain SGD on the softmax loss with a decaying rate and L2 applied to the weights a step touches."""
    vectors = [(sorted(second_layer.vector(text).items()), label) for text, label in data]
    counts = [sum(1 for _, label in vectors if label == k) for k in range(3)]
    balance = [len(vectors) / (3 * max(count, 1)) for count in counts]
    weights: dict[str, list[float]] = {}
    bias = [0.0, 0.0, 0.0]
    step = 0
    for epoch in range(EPOCHS):
        rng.shuffle(vectors)
        rate = RATE / (1 + epoch)
        for feats, label in vectors:
            step += 1
            rows = [(weights.setdefault(f, [0.0, 0.0, 0.0]), value) for f, value in feats]
            totals = [bias[k] + sum(row[k] * value for row, value in rows) for k in range(3)]
            top = max(totals)
            exps = [math.exp(t - top) for t in totals]
            norm = sum(exps)
            grads = [(exps[k] / norm - (1.0 if k == label else 0.0)) * balance[label] for k in range(3)]
            for k in range(3):
                bias[k] -= rate * grads[k]
                for row, value in rows:
                    row[k] -= rate * (grads[k] * value + L2 * row[k])
    return weights, bias


def pick_threshold(model: second_layer.Model) -> float:
    """The lowest threshold (the most the layer catches) whose false-positive rate on the dev sets stays in budget.

    The rules were written from these sets' misses, so their recall there says nothing about the layer: the pick
    spends a false-positive budget (rules + layer together, `MAX_DEV_FALSE_POSITIVE_RATE`) on catching more.
    """
    rules = load_rules()
    routine: list[tuple[bool, float]] = []
    for name in DEV_SETS:
        for case in yaml.safe_load((EVAL_DIR / name).read_text(encoding="utf-8"))["cases"]:
            if case["label"] != "routine":
                continue
            _, emergency, crisis = model.probabilities(case["text"])
            routine.append((rules.classify(case["text"]).level != "routine", emergency + crisis))
    for threshold in (t / 100 for t in range(round(LOWEST_THRESHOLD * 100), 100)):
        flagged = sum(by_rules or urgency >= threshold for by_rules, urgency in routine)
        if flagged / len(routine) <= MAX_DEV_FALSE_POSITIVE_RATE:
            return threshold
    return 1.0


def build(version: str) -> dict[str, object]:
    """Train, prune, pick the threshold; the JSON document to write."""
    rng = random.Random(SEED)  # noqa: S311 - seeded for a reproducible file, not for secrets
    weights, bias = fit(examples(rng), rng)
    kept = {f: [round(w, 4) for w in row] for f, row in sorted(weights.items()) if max(map(abs, row)) >= PRUNE}
    model = second_layer.Model(
        version, {f: (r[0], r[1], r[2]) for f, r in kept.items()}, (bias[0], bias[1], bias[2]), 1.0
    )
    threshold = pick_threshold(model)
    return {"version": version, "threshold": threshold, "bias": [round(b, 4) for b in bias], "weights": kept}


def cross_validate(folds: int, threshold: float) -> tuple[float, float]:
    """Recall and false-positive rate of the layer alone on training lines held out `folds` ways.

    Every line with all the examples it gives stays in one fold, so a held-out line is never seen in any frame.
    """
    rng = random.Random(SEED)  # noqa: S311 - seeded for reproducible folds
    lines = source_lines()
    rng.shuffle(lines)
    hits = [0, 0]  # urgent lines caught, routine lines flagged
    totals = [0, 0]
    for fold in range(folds):
        held = [line for index, line in enumerate(lines) if index % folds == fold]
        kept = [line for index, line in enumerate(lines) if index % folds != fold]
        weights, bias = fit(examples(rng, kept), rng)
        model = second_layer.Model(
            "cv", {f: (r[0], r[1], r[2]) for f, r in weights.items()}, (bias[0], bias[1], bias[2]), threshold
        )
        for _, level, text in held:
            routine = level == "routine"
            totals[routine] += 1
            hits[routine] += model.escalation(text) is not None
    return hits[0] / max(totals[0], 1), hits[1] / max(totals[1], 1)


def main() -> None:
    """Command line: rebuild the model file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", required=True, help="model version stored in the file, e.g. 2026-12-02.1")
    parser.add_argument("--output", type=Path, default=second_layer.MODEL_PATH)
    parser.add_argument("--cv", type=int, default=0, metavar="K", help="only print K-fold cross-validation figures")
    args = parser.parse_args()
    if args.cv:
        if args.cv < 2:
            parser.error("--cv needs at least 2 folds")
        recall, fpr = cross_validate(args.cv, 0.5)
        print(f"{args.cv}-fold cross-validation, layer alone at 0.5: recall {recall:.1%}, false positives {fpr:.1%}")
        return
    document = build(args.version)
    args.output.write_text(json.dumps(document, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.output}: {len(document['weights'])} features, threshold {document['threshold']}")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
