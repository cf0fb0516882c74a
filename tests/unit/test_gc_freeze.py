"""`medqa serve` freezes its start-up heap once, after collecting it: nothing dead is pinned for good."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# In a fresh interpreter (freezing is per process and for good): a dead cycle before the freeze, a live
# object, then what the freeze kept and whether the cycle survived it.
PROBE = """
import gc, json, weakref
from app.cli import freeze_heap
from app.settings import Settings
from app.asgi import create_app

class Node:
    pass

dead = Node(); dead.me = dead; gone = weakref.ref(dead); del dead
app = create_app(Settings())
gc.disable()  # no automatic collection may take the cycle first: freeze_heap's own collect must
freeze_heap()
print(json.dumps({"frozen": gc.get_freeze_count(), "cycle_alive": gone() is not None, "left": len(gc.get_objects())}))
"""


def test_freeze_heap_collects_first_then_freezes_what_start_up_built() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    ).stdout
    found = json.loads(out.strip().splitlines()[-1])
    assert found["cycle_alive"] is False  # collected before the freeze, not pinned
    assert found["frozen"] > 50_000  # the app's modules and models, out of every later collection
    assert found["left"] < 1_000  # what the collector still walks: almost nothing
