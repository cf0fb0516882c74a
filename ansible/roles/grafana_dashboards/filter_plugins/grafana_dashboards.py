"""Filters of the grafana_dashboards role: the managed-by-Git dashboard and the drift check."""

from __future__ import annotations

import json
import re
from typing import Any

from ansible.errors import AnsibleFilterError  # type: ignore[import-untyped]

MANAGED_TAG = "managed-by-git"
# Keys that Grafana owns: it assigns them on every save, so they never count as drift.
SERVER_KEYS = ("id", "version")
UID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def managed(names: list[str], texts: list[str], repo_path: str) -> list[dict[str, Any]]:
    """Return [{file, dashboard}] with the note, tag and read-only flag that mark a dashboard as Git's."""
    wanted = []
    for name, text in zip(names, texts, strict=True):
        try:
            dashboard = json.loads(text)
        except json.JSONDecodeError as error:
            raise AnsibleFilterError(f"{name}: not valid JSON ({error})") from error
        _check(name, dashboard)
        note = f"Managed by Git ({repo_path}/{name}): changes made in the Grafana UI are overwritten."
        description = dashboard.get("description") or ""
        dashboard = {key: value for key, value in dashboard.items() if key not in SERVER_KEYS}
        dashboard["description"] = f"{description} {note}".strip() if note not in description else description
        dashboard["tags"] = sorted({*dashboard.get("tags", []), MANAGED_TAG})
        dashboard["editable"] = False
        wanted.append({"file": name, "dashboard": dashboard})
    return wanted


def _check(name: str, dashboard: Any) -> None:
    """Refuse a dashboard without a title, or whose uid is not its file stem."""
    if not isinstance(dashboard, dict):
        raise AnsibleFilterError(f"{name}: a dashboard must be a JSON object")
    stem = name.removesuffix(".json")
    if not dashboard.get("title"):
        raise AnsibleFilterError(f"{name}: the dashboard has no title")
    if dashboard.get("uid") != stem or not UID_PATTERN.match(stem):
        raise AnsibleFilterError(
            f"{name}: uid must equal the file name {stem!r} (letters, digits, - and _, at most 40), "
            f"got {dashboard.get('uid')!r}"
        )


def differs(current: dict[str, Any], wanted: dict[str, Any], folder_uid: str) -> bool:
    """Tell whether Grafana's copy (GET /api/dashboards/uid/...) differs from Git's or sits in another folder."""
    stored = {key: value for key, value in current.get("dashboard", {}).items() if key not in SERVER_KEYS}
    return stored != wanted or current.get("meta", {}).get("folderUid") != folder_uid


class FilterModule:
    """Ansible entry point for the role's filters."""

    def filters(self) -> dict[str, Any]:
        """Map filter names to functions."""
        return {"grafana_dashboards_managed": managed, "grafana_dashboards_differs": differs}
