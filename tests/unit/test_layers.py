"""The layering of app/: every import in app/**.py is allowed by the table in app/README.md."""

from __future__ import annotations

import ast
import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
_ROW = re.compile(r"^\| `(?P<part>\w+)` \| (?P<modules>[^|]+) \| (?P<allowed>[^|]+) \|$")


def table() -> tuple[dict[str, str], dict[str, set[str] | None]]:
    """From the README: module prefix -> part, and part -> parts it may import (None: any)."""
    owners: dict[str, str] = {}
    allowed: dict[str, set[str] | None] = {}
    section = (APP / "README.md").read_text(encoding="utf-8").split("## Which part may import which")[1]
    for line in section.splitlines():
        match = _ROW.match(line.strip())
        if match is None:
            continue
        part = match["part"]
        for module in re.findall(r"`([\w.]+)`", match["modules"]):
            owners[module] = part
        may = match["allowed"].strip()
        allowed[part] = (
            None if may == "*" else {name.strip() for name in may.split(",") if name.strip() not in ("—", "")}
        )
    return owners, allowed


def part_of(module: str, owners: dict[str, str]) -> str | None:
    """The part owning `module`: the longest listed prefix (`app` itself only for the root package)."""
    if module == "app":
        return owners.get("app")
    candidates = [
        prefix for prefix in owners if prefix != "app" and (module == prefix or module.startswith(prefix + "."))
    ]
    return owners[max(candidates, key=len)] if candidates else None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """Every app module `path` imports, anywhere in the file (function bodies and TYPE_CHECKING too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name.split(".")[0] == "app"]


def sources() -> list[Path]:
    return sorted(APP.rglob("*.py"))


def test_the_table_parses() -> None:
    owners, allowed = table()
    assert {"foundation", "questions", "wiring"} <= set(allowed)
    assert set(owners.values()) == set(allowed)
    for may in allowed.values():
        assert may is None or may <= set(allowed), may


def test_every_module_belongs_to_a_part() -> None:
    owners, _ = table()
    assert [module_name(path) for path in sources() if part_of(module_name(path), owners) is None] == []


def test_every_import_is_allowed() -> None:
    owners, allowed = table()
    broken = []
    for path in sources():
        source = part_of(module_name(path), owners)
        assert source is not None
        for line, name in imports(path):
            target = part_of(name, owners)
            may = allowed[source]
            if target != source and (target is None or (may is not None and target not in may)):
                broken.append(f"{path.relative_to(APP.parent)}:{line} ({source}) imports {name} ({target})")
    assert broken == []


def test_the_check_catches_a_forbidden_import(tmp_path: Path) -> None:
    """A settings module that imports the safety package is caught (the check is not vacuous)."""
    owners, allowed = table()
    planted = tmp_path / "settings.py"
    planted.write_text("def f():\n    from app.safety.guidance import locales\n", encoding="utf-8")
    ((line, name),) = imports(planted)
    source, target = part_of("app.settings", owners), part_of(name, owners)
    assert (line, source, target) == (2, "foundation", "safety")
    may = allowed[source]
    assert may is not None and target not in may
