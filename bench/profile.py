"""Profile the service with py-spy while a load runs, and print where its time goes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench.stack import Service

TOP = 25
# A sample belongs to the SDK when generate_content is on its stack; otherwise to the first of these
# layers found from the innermost frame outwards (the layer table of docs/performance.md).
LAYERS = (
    ("sdk", ("google/genai", "httpx2", "httpcore", "h11", "anyio", "pydantic")),
    ("database", ("piccolo", "asyncpg")),
    ("screening", ("app/safety",)),
    ("metrics", ("prometheus_client",)),
    ("logging", ("structlog", "logging/")),
    ("msgspec", ("msgspec",)),
    ("our code", ("app/",)),
    ("litestar", ("litestar",)),
    ("uvicorn", ("uvicorn", "httptools")),
    ("event loop", ("asyncio", "uvloop")),
)


def profile_during(service: Service, load: Callable[[], object], out: Path, seconds: int = 600) -> Path:
    """Sample the service with py-spy (raw stacks, idle frames dropped) while `load()` runs."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    out.mkdir(parents=True, exist_ok=True)
    raw = out / "serve.collapsed"
    command = [py_spy, "record", "--format", "raw", "--rate", "200", "-o", str(raw), "-p", str(service.process.pid),
               "-d", str(seconds)]  # fmt: skip
    recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        load()
    finally:
        recorder.send_signal(2)  # SIGINT: py-spy writes what it has and exits
        try:
            recorder.wait(timeout=30)
        except subprocess.TimeoutExpired:
            recorder.kill()
            recorder.wait(timeout=5)
    if raw.exists():
        print(summarise(raw), flush=True)
    else:
        print(f"py-spy wrote no profile: {recorder.stderr.read().decode()[-500:] if recorder.stderr else ''}")
    return raw


def _frame(frame: str) -> str:
    """`func (path/to/file.py:12)` -> `file.py:func`, shortened after site-packages."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    path = path.split("site-packages/")[-1].split("/work/main/")[-1]
    return f"{path}:{name}"


def layer_of(frames: list[str]) -> str:
    """The layer a sample's CPU belongs to (raw py-spy frames, outermost first)."""
    if any("generate_content" in frame for frame in frames):
        return "sdk"
    for frame in reversed(frames):
        for layer, needles in LAYERS:
            if any(needle in frame for needle in needles):
                return layer
    return "other"


def summarise(raw: Path) -> str:
    """Samples by layer, then the functions with the most: inclusive (on the stack) and self (at the top)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    layers: Counter[str] = Counter()
    total = 0
    for row in raw.read_text().splitlines():
        stack, _, count_text = row.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        layers[layer_of(stack.split(";"))] += count
        frames = [_frame(f) for f in stack.split(";")]
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    lines = [f"py-spy: {total} samples of the busy service (200 Hz; idle excluded)", "by layer:"]
    lines += [f"  {100 * n / total:5.1f}%  {layer}" for layer, n in layers.most_common()]
    lines += ["inclusive:"]
    lines += [f"  {100 * n / total:5.1f}%  {f}" for f, n in inclusive.most_common(TOP)]
    lines += ["self:"] + [f"  {100 * n / total:5.1f}%  {f}" for f, n in own.most_common(TOP)]
    return "\n".join(lines)
