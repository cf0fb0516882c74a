"""Print the rules in observability/prometheus/rules/ as one Prometheus rule file, time-scaled for tests.

    uv run python observability/scale_rules.py --time-scale 60 > /tmp/medqa.rules.yml

The rule files themselves are what promtool tests and Terraform deploys (Azure Prometheus rule groups,
platform/terraform/modules/monitoring). `--time-scale N` is for tests only: it divides every duration (range
selectors, `offset`, `for`, group `interval`) by N so that an end-to-end test sees alerts fire in seconds
from the very same rules; rule and alert names stay unchanged.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import yaml

RULES_DIR = Path(__file__).resolve().parent / "prometheus" / "rules"
_UNITS_MS = {
    "ms": 1,
    "s": 1000,
    "m": 60_000,
    "h": 3_600_000,
    "d": 86_400_000,
    "w": 604_800_000,
    "y": 31_536_000_000,
}
_DURATION = re.compile(r"^(?:\d+(?:ms|s|m|h|d|w|y))+$")
_PART = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
# A range selector or subquery `[5m]`, `[1h:30s]`, or `offset 5m`, outside string literals.
_IN_EXPR = re.compile(r"\[([0-9a-z]+)(?::([0-9a-z]*))?\]|(\boffset\s+)([0-9a-z]+)")
_STRING = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|`[^`]*`")


class RenderError(ValueError):
    """The rule files or the options cannot be rendered."""


def duration_ms(text: str) -> int:
    """Milliseconds in a Prometheus duration such as `1h30m`."""
    if not _DURATION.match(text):
        raise RenderError(f"not a Prometheus duration: {text!r}")
    return sum(int(n) * _UNITS_MS[unit] for n, unit in _PART.findall(text))


def format_ms(ms: int) -> str:
    """The shortest exact Prometheus duration for a number of milliseconds."""
    for unit in ("d", "h", "m", "s"):
        if ms % _UNITS_MS[unit] == 0:
            return f"{ms // _UNITS_MS[unit]}{unit}"
    return f"{ms}ms"


def scale_duration(text: str, scale: int) -> str:
    """Divide a duration by `scale`, refusing results below one millisecond."""
    ms = duration_ms(text) // scale
    if ms < 1:
        raise RenderError(f"duration {text!r} divided by {scale} is below 1ms")
    return format_ms(ms)


def scale_expr(expr: str, scale: int) -> str:
    """Divide every range, subquery step and offset duration in a PromQL expression."""

    def one(match: re.Match[str]) -> str:
        if match.group(3) is not None:
            return match.group(3) + scale_duration(match.group(4), scale)
        scaled = scale_duration(match.group(1), scale)
        if match.group(2) is None:
            return f"[{scaled}]"
        step = scale_duration(match.group(2), scale) if match.group(2) else ""
        return f"[{scaled}:{step}]"

    pieces, last = [], 0
    for literal in _STRING.finditer(expr):
        pieces.append(_IN_EXPR.sub(one, expr[last : literal.start()]))
        pieces.append(literal.group(0))
        last = literal.end()
    pieces.append(_IN_EXPR.sub(one, expr[last:]))
    return "".join(pieces)


def load_groups(rules_dir: Path = RULES_DIR) -> list[dict[str, Any]]:
    """Every rule group of every `*.rules.yml` file, in file-name order."""
    files = sorted(rules_dir.glob("*.rules.yml"))
    if not files:
        raise RenderError(f"no *.rules.yml files in {rules_dir}")
    groups: list[dict[str, Any]] = []
    for path in files:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(content, dict) or not isinstance(content.get("groups"), list):
            raise RenderError(f"{path.name}: expected a mapping with a 'groups' list")
        groups.extend(content["groups"])
    names = [group["name"] for group in groups]
    if len(names) != len(set(names)):
        raise RenderError(f"duplicate rule group names: {sorted(n for n in names if names.count(n) > 1)}")
    return groups


def transform(groups: list[dict[str, Any]], scale: int = 1) -> list[dict[str, Any]]:
    """Copies of the groups with durations divided by `scale`."""
    if scale < 1:
        raise RenderError(f"--time-scale must be a positive integer, not {scale}")
    result = []
    for group in groups:
        new = {**group, "rules": []}
        if scale > 1 and "interval" in group:
            new["interval"] = scale_duration(group["interval"], scale)
        for source in group["rules"]:
            rule = {**source}
            if scale > 1:
                rule["expr"] = scale_expr(str(rule["expr"]), scale)
                if "for" in rule:
                    rule["for"] = scale_duration(rule["for"], scale)
            new["rules"].append(rule)
        result.append(new)
    return result


def _literal_strings(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    """Write multi-line strings (PromQL) as YAML block literals so the output stays reviewable."""
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


class _Dumper(yaml.SafeDumper):
    """A SafeDumper with block literals for multi-line strings."""


_Dumper.add_representer(str, _literal_strings)


def render(scale: int = 1, rules_dir: Path = RULES_DIR) -> str:
    """The YAML text of one plain rule file built from the rule files, durations divided by `scale`."""
    document = {"groups": transform(load_groups(rules_dir), scale)}
    return str(yaml.dump(document, Dumper=_Dumper, sort_keys=False, width=120, allow_unicode=True))


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: print the rendered YAML, or one error line and exit 2."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-scale", type=int, default=1, help="TEST ONLY: divide every duration by N")
    parser.add_argument("--rules-dir", type=Path, default=RULES_DIR)
    args = parser.parse_args(argv)
    try:
        sys.stdout.write(render(args.time_scale, args.rules_dir))
    except (RenderError, OSError, yaml.YAMLError, KeyError) as error:
        print(f"scale_rules: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
