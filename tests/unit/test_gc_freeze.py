"""`medqa serve` freezes its start-up heap once, after collecting it: nothing dead is pinned for good."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# In a fresh interpreter (freezing is per process and for good), with automatic collection off so that only
# freeze_heap's own collect can take the dead cycle: the app built, then what the freeze kept and whether
# the cycle survived it.
PROBE = """
import gc, json, weakref
gc.disable()
from app.cli import serving_app
from app.settings import Settings

class Node:
    pass

dead = Node(); dead.me = dead; gone = weakref.ref(dead); del dead
app = serving_app(Settings())
print(json.dumps({"frozen": gc.get_freeze_count(), "cycle_alive": gone() is not None, "left": len(gc.get_objects())}))
"""


def test_the_serving_app_is_collected_first_then_frozen() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    ).stdout
    found = json.loads(out.strip().splitlines()[-1])
    assert found["cycle_alive"] is False  # collected before the freeze, not pinned
    assert found["frozen"] > 50_000  # the app's modules and models, out of every later collection
    assert found["left"] < 1_000  # what the collector still walks: almost nothing
