"""The small PromQL helpers the dashboard and rule checks rely on."""

from __future__ import annotations

import pytest

from observability import promql


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        (
            'sum by (route) (rate(medqa_http_requests_total{route="/ask", status=~"5.."}[5m]))',
            {"medqa_http_requests_total"},
        ),
        (
            "histogram_quantile(0.95, sum by (le) (rate(a_bucket[1m]))) > bool 1e3",
            {"a_bucket"},
        ),
        (
            "rate(a_total[5m] offset 1h) / on (pod) group_left (node) b_info",
            {"a_total", "b_info"},
        ),
        (
            "x:y:rate5m / on() group_left() (1 - z:objective)",
            {"x:y:rate5m", "z:objective"},
        ),
        ('label_replace(up, "dst", "$1", "src", "(.*)") or vector(0)', {"up"}),
        ("sum(a) by (job) and ignoring(x) b unless c", {"a", "b", "c"}),
        ("max_over_time(g[1h:5m]) * 0x10 + .5 - Inf", {"g"}),
    ],
)
def test_metric_names_finds_selected_series_only(expr: str, names: set[str]) -> None:
    """Functions, keywords, label names, strings, numbers and durations are not metric names."""
    assert promql.metric_names(expr) == names


def test_substitute_fills_every_variable_syntax() -> None:
    """`$x`, `${x}` and `[[x]]` are all Grafana variable references."""
    expr = 'rate(a{ns="$namespace", job="${job}"}[[[interval]]]) * $price'
    filled = promql.substitute(expr, {"namespace": "n", "job": "j", "interval": "1m", "price": "2"})
    assert filled == 'rate(a{ns="n", job="j"}[1m]) * 2'
    assert promql.variables(expr) == {"namespace", "job", "interval", "price"}


def test_substitute_refuses_unknown_variables() -> None:
    """A query using a variable the dashboard does not define is an error, not an empty string."""
    with pytest.raises(promql.UnknownVariable, match="missing"):
        promql.substitute("rate(a[$missing])", {})
