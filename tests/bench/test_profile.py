"""The profile's layer table: the SDK when its call is on the stack, else the innermost known layer."""

from __future__ import annotations

from pathlib import Path

from bench.profile import layer_of, summarise

ROUTE = "handle (litestar/routes/http.py:75)"
ASK = "ask (app/questions/service.py:98)"
SDK = "generate_content (google/genai/models.py:8267)"


def test_the_sdk_call_wins_over_whatever_runs_inside_it() -> None:
    """asyncio or pydantic frames under generate_content are the SDK's CPU."""
    assert layer_of([ROUTE, ASK, SDK, "run (asyncio/events.py:80)"]) == "sdk"


def test_otherwise_the_innermost_known_layer_counts() -> None:
    """An asyncpg execute under our insert is the database; our own frame alone is our code."""
    assert layer_of([ROUTE, ASK, "execute (asyncpg/connection.py:377)"]) == "database"
    assert layer_of([ROUTE, ASK]) == "our code"
    assert layer_of(["main (medqa:1)"]) == "other"


def test_summary_prints_the_layers_with_their_shares(tmp_path: Path) -> None:
    """Three samples in the SDK, one in Litestar: 75% and 25%."""
    raw = tmp_path / "serve.collapsed"
    raw.write_text(f"{ROUTE};{ASK};{SDK} 3\n{ROUTE} 1\n")
    out = summarise(raw)
    assert "by layer:\n   75.0%  sdk\n   25.0%  litestar\n" in out, out
