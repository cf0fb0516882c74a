"""Small PromQL helpers for tests: fill Grafana variables and list the metric names a query selects.

Parsing itself is left to Prometheus (`promtool check rules` and the live server); this only needs to
find names, so it drops strings, label matchers, ranges and grouping clauses and keeps bare identifiers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

KEYWORDS = frozenset(
    {
        "and",
        "or",
        "unless",
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
        "bool",
        "offset",
    }
    | {"inf", "nan", "start", "end"}
)
_STRING = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|`[^`]*`")
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGE = re.compile(r"\[[^\[\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_TOKEN = re.compile(
    r"(?P<number>0x[0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:ms|s|m|h|d|w|y)*)"
    r"|(?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)(?P<call>\s*\()?"
)
_VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]")


class UnknownVariable(KeyError):
    """A query uses a Grafana variable that has no value in the mapping."""


def substitute(expr: str, values: Mapping[str, str]) -> str:
    """Replace `$name`, `${name}` and `[[name]]` with values, as Grafana does before querying."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2) or match.group(3)
        if name not in values:
            raise UnknownVariable(name)
        return values[name]

    return _VARIABLE.sub(one, expr)


def variables(expr: str) -> set[str]:
    """Names of the Grafana variables an expression uses."""
    return {m.group(1) or m.group(2) or m.group(3) for m in _VARIABLE.finditer(expr)}


def metric_names(expr: str) -> set[str]:
    """Metric names selected by a PromQL expression (variables must be substituted first)."""
    text = _STRING.sub(" ", expr)
    text = _MATCHERS.sub(" ", text)
    text = _RANGE.sub(" ", text)
    previous = None
    while previous != text:  # `sum by (a) (x)` and `on (a) group_left (b)` nest at most two deep
        previous, text = text, _GROUPING.sub(" ", text)
    names = set()
    for token in _TOKEN.finditer(text):
        ident = token.group("ident")
        if ident and not token.group("call") and ident.lower() not in KEYWORDS:
            names.add(ident)
    return names
