"""Split a fresh triage evaluation set once into a dev part and a frozen part, stratified by category and label.

    uv run python tests/safety/split_set.py SOURCE.yaml --dev triage_fresh2_dev.yaml \
        --frozen triage_fresh2_frozen.yaml --seed 19 --frozen-share 0.6 --exclude OLDER.yaml...

It prints counts only, never a case, so whoever splits a set has not read its frozen part.
"""

from __future__ import annotations

import argparse
import random
from collections import defaultdict
from pathlib import Path

import yaml

Case = dict[str, str]


def split(cases: list[Case], seed: int, frozen_share: float) -> tuple[list[Case], list[Case]]:
    """(dev, frozen): within each (kind, red flag or not) stratum, a seeded shuffle, the first share frozen."""
    strata: dict[tuple[str, bool], list[Case]] = defaultdict(list)
    for case in cases:
        strata[(case["kind"], case["label"] != "routine")].append(case)
    rng = random.Random(seed)  # noqa: S311 - a reproducible split, not a secret
    dev: list[Case] = []
    frozen: list[Case] = []
    for key in sorted(strata):
        group = strata[key]
        rng.shuffle(group)
        cut = round(len(group) * frozen_share)
        frozen += group[:cut]
        dev += group[cut:]
    return dev, frozen


def load(path: Path) -> list[Case]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["cases"])


def write(path: Path, cases: list[Case], note: str) -> None:
    document = {"version": 1, "note": note, "cases": cases}
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=200), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--dev", type=Path, required=True)
    parser.add_argument("--frozen", type=Path, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--frozen-share", type=float, default=0.6)
    parser.add_argument("--exclude", type=Path, nargs="*", default=[], help="older sets: cases they hold are dropped")
    args = parser.parse_args()
    cases = yaml.safe_load(args.source.read_text(encoding="utf-8"))["cases"]
    seen = {case["text"].casefold() for path in args.exclude for case in load(path)}
    kept = [case for case in cases if case["text"].casefold() not in seen]
    print(f"dropped {len(cases) - len(kept)} cases that an older set already holds")
    cases = kept
    dev, frozen = split(cases, args.seed, args.frozen_share)
    dev_note = f"Development split (seed {args.seed}) of {args.source.name}: misses may be read and tuned on."
    write(args.dev, dev, dev_note)
    write(
        args.frozen,
        frozen,
        f"Frozen split (seed {args.seed}) of {args.source.name}. NEVER used to tune rules, train or pick thresholds.",
    )
    for name, part in (("dev", dev), ("frozen", frozen)):
        red = sum(case["label"] != "routine" for case in part)
        print(f"{name}: {len(part)} cases, {red} red flags, {len(part) - red} routine")


if __name__ == "__main__":
    main()
