"""scale_rules.py: the one rule source, time-scaled for the end-to-end test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from observability import scale_rules as render
from tests.observability.conftest import OBS, RULES_DIR, rule_files, run

SCRIPT = OBS / "scale_rules.py"


def source_groups() -> list[dict[str, Any]]:
    """The groups exactly as written in the rule files."""
    groups: list[dict[str, Any]] = []
    for path in rule_files():
        groups.extend(yaml.safe_load(path.read_text())["groups"])
    return groups


def test_rules_format_passes_promtool_at_every_scale(promtool: Path, tmp_path: Path) -> None:
    """The plain rule file (unscaled and scaled for the e2e test) is valid for Prometheus."""
    for scale in (1, 60):
        out = tmp_path / f"scaled-{scale}.rules.yml"
        out.write_text(render.render(scale=scale))
        result = run(promtool, "check", "rules", out)
        assert result.returncode == 0, result.stdout + result.stderr


def test_time_scale_divides_windows_and_for_but_keeps_names() -> None:
    """Scaling shortens every duration; record and alert names (and thresholds) stay the same."""
    scaled = yaml.safe_load(render.render(scale=60))["groups"]
    original = source_groups()
    assert [g["name"] for g in scaled] == [g["name"] for g in original]
    for new_group, old_group in zip(scaled, original, strict=True):
        for new, old in zip(new_group["rules"], old_group["rules"], strict=True):
            assert new.get("alert") == old.get("alert") and new.get("record") == old.get("record")
            if "for" in old:
                assert render.duration_ms(new["for"]) * 60 == render.duration_ms(old["for"])
    fast = next(r for g in scaled for r in g["rules"] if r.get("alert") == "MedQAGeminiErrors")
    assert "[5s]" in fast["expr"] and "[5m]" not in fast["expr"] and "> 0.1" in fast["expr"]
    sli = next(
        r for g in scaled for r in g["rules"] if r.get("record") == "medqa_slo:ask_availability_errors:ratio_rate30d"
    )
    assert "[12h]" in sli["expr"]


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("5m", 300_000),
        ("1h30m", 5_400_000),
        ("30d", 2_592_000_000),
        ("250ms", 250),
        ("1w", 604_800_000),
    ],
)
def test_duration_ms(text: str, ms: int) -> None:
    """Prometheus durations, compound ones included."""
    assert render.duration_ms(text) == ms


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (300_000, "5m"),
        (5_400_000, "90m"),
        (43_200_000, "12h"),
        (1500, "1500ms"),
        (5000, "5s"),
    ],
)
def test_format_ms(ms: int, text: str) -> None:
    """The shortest exact unit is chosen."""
    assert render.format_ms(ms) == text


def test_scale_expr_handles_ranges_subqueries_and_offsets_but_not_strings() -> None:
    """Ranges, subquery steps and offsets scale; a string that looks like a range does not."""
    expr = 'max_over_time(rate(a[1h] offset 10m)[6h:1m]) + label_replace(b, "x", "[5m]", "y", ".*")'
    assert render.scale_expr(expr, 60) == (
        'max_over_time(rate(a[1m] offset 10s)[6m:1s]) + label_replace(b, "x", "[5m]", "y", ".*")'
    )


@pytest.mark.parametrize("bad", ["5", "m5", "5 m", "1.5h", ""])
def test_invalid_durations_are_refused(bad: str) -> None:
    """Anything but an integer-unit Prometheus duration is an error."""
    with pytest.raises(render.RenderError, match="not a Prometheus duration"):
        render.duration_ms(bad)


def test_scaling_below_a_millisecond_is_refused() -> None:
    """A scale that would turn a window into nothing fails loudly."""
    with pytest.raises(render.RenderError, match="below 1ms"):
        render.scale_duration("5s", 10_000)


def test_non_positive_scale_is_refused() -> None:
    """--time-scale 0 or negative makes no sense."""
    with pytest.raises(render.RenderError, match="positive"):
        render.transform(source_groups(), scale=0)


def test_empty_rules_dir_is_an_error(tmp_path: Path) -> None:
    """No rule files means nothing to render, not an empty PrometheusRule."""
    with pytest.raises(render.RenderError, match=r"no \*\.rules\.yml"):
        render.load_groups(tmp_path)


def test_duplicate_group_names_are_an_error(tmp_path: Path) -> None:
    """Prometheus would refuse two groups of one name; so do we, earlier."""
    body = "groups:\n  - name: same\n    rules: []\n"
    (tmp_path / "a.rules.yml").write_text(body)
    (tmp_path / "b.rules.yml").write_text(body)
    with pytest.raises(render.RenderError, match="duplicate"):
        render.load_groups(tmp_path)


def test_file_without_groups_is_an_error(tmp_path: Path) -> None:
    """A rule file must be a mapping with a groups list."""
    (tmp_path / "x.rules.yml").write_text("- just a list\n")
    with pytest.raises(render.RenderError, match="groups"):
        render.load_groups(tmp_path)


def test_cli_reports_errors_in_one_line_and_exits_2(tmp_path: Path) -> None:
    """The script fails with a clear message, never a traceback."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--rules-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("scale_rules: no *.rules.yml files")
    assert "Traceback" not in result.stderr
    assert RULES_DIR.is_dir()
