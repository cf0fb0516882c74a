"""A small stand-in for Grafana's HTTP API: only the endpoints the grafana_dashboards role calls.

Contract test double, not a Grafana: it keeps dashboards and folders in memory and answers the legacy
`/api` endpoints with Grafana's status codes and bodies (401 for a bad token, 404 for a missing uid,
412 `version-mismatch` / `name-exists` on a conflicting save, 400 for a nameless dashboard or unknown folder).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Json = dict[str, Any]


@dataclass
class Saved:
    """One dashboard as Grafana stores it, with the message of each saved version."""

    dashboard: Json
    folder_uid: str
    messages: list[str] = field(default_factory=list)


@dataclass
class GrafanaState:
    """Everything the fake server knows; tests read and change it directly."""

    token: str
    folders: dict[str, Json] = field(default_factory=dict)
    dashboards: dict[str, Saved] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    # Simulates someone saving in the UI right after the role read this uid (a race the role must not win).
    bump_after_read: set[str] = field(default_factory=set)
    next_id: int = 1

    def new_id(self) -> int:
        """Hand out Grafana's install-local numeric ids."""
        self.next_id += 1
        return self.next_id - 1

    def writes(self) -> list[tuple[str, str]]:
        """Return the requests that could change something (everything but GET)."""
        return [request for request in self.requests if request[0] != "GET"]


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


class GrafanaHandler(BaseHTTPRequestHandler):
    """Routes the few API calls; anything else is a 404 as in Grafana."""

    server: FakeGrafana

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the test asserts on the request log instead."""

    def do_GET(self) -> None:
        """Handle folder, dashboard and search reads."""
        self._dispatch("GET")

    def do_POST(self) -> None:
        """Handle folder creation and dashboard saves."""
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        """Handle dashboard deletion."""
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        state = self.server.state
        url = urlsplit(self.path)
        with self.server.lock:
            state.requests.append((method, url.path))
            status, body = self._route(method, url.path, parse_qs(url.query), state)
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _route(self, method: str, path: str, query: dict[str, list[str]], state: GrafanaState) -> tuple[int, Any]:
        denied = _auth_error(self.headers.get("Authorization", ""), state.token)
        if denied:
            return denied
        folder = re.fullmatch(r"/api/folders/([^/]+)", path)
        dashboard = re.fullmatch(r"/api/dashboards/uid/([^/]+)", path)
        routes: list[tuple[str, bool, Callable[[], tuple[int, Any]]]] = [
            ("GET", bool(folder), lambda: _get_folder(state, folder[1] if folder else "")),
            ("POST", path == "/api/folders", lambda: _create_folder(state, self._body())),
            ("GET", bool(dashboard), lambda: _get_dashboard(state, dashboard[1] if dashboard else "")),
            ("DELETE", bool(dashboard), lambda: _delete_dashboard(state, dashboard[1] if dashboard else "")),
            ("POST", path == "/api/dashboards/db", lambda: _save_dashboard(state, self._body())),
            ("GET", path == "/api/search", lambda: (200, _search(state, query))),
        ]
        for route_method, matched, handler in routes:
            if matched and route_method == method:
                return handler()
        return 404, {"message": "Not found"}

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            return json.loads(self.rfile.read(length) or b"null")
        except json.JSONDecodeError:
            return None


def _auth_error(header: str, token: str) -> tuple[int, Any] | None:
    if not header:
        return 401, {"message": "Unauthorized"}
    if header != f"Bearer {token}":
        return 401, {"message": "Invalid API key", "messageId": "api-key.invalid", "statusCode": 401}
    return None


def _get_folder(state: GrafanaState, uid: str) -> tuple[int, Any]:
    folder = state.folders.get(uid)
    return (200, folder) if folder else (404, {"message": "folder not found", "status": "not-found"})


def _create_folder(state: GrafanaState, body: Any) -> tuple[int, Any]:
    if not isinstance(body, dict) or not body.get("title"):
        return 400, {"message": "folder title cannot be empty"}
    uid = body.get("uid") or f"f{state.next_id}"
    if uid in state.folders or any(f["title"] == body["title"] for f in state.folders.values()):
        return 409, {"message": "a folder with the same name or uid already exists"}
    folder = {"id": state.new_id(), "uid": uid, "title": body["title"], "url": f"/dashboards/f/{uid}/", "version": 1}
    state.folders[uid] = folder
    return 200, folder


def _get_dashboard(state: GrafanaState, uid: str) -> tuple[int, Any]:
    saved = state.dashboards.get(uid)
    if saved is None:
        return 404, {"message": "Dashboard not found"}
    folder = state.folders.get(saved.folder_uid, {})
    meta = {
        "type": "db",
        "slug": _slug(saved.dashboard["title"]),
        "url": f"/d/{uid}/{_slug(saved.dashboard['title'])}",
        "version": saved.dashboard["version"],
        "folderId": folder.get("id", 0),
        "folderUid": saved.folder_uid,
        "folderTitle": folder.get("title", "Dashboards"),
    }
    response = {"dashboard": json.loads(json.dumps(saved.dashboard)), "meta": meta}
    if uid in state.bump_after_read:
        state.bump_after_read.discard(uid)
        saved.dashboard["version"] += 1
        saved.messages.append("edited in the UI")
    return 200, response


def _save_dashboard(state: GrafanaState, body: Any) -> tuple[int, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("dashboard"), dict):
        return 400, {"message": "bad request data"}
    dashboard: Json = dict(body["dashboard"])
    folder_uid = body.get("folderUid") or ""
    if not dashboard.get("title"):
        return 400, {"message": "Dashboard title cannot be empty", "status": "empty-name"}
    if folder_uid and folder_uid not in state.folders:
        return 400, {"message": "folder not found", "status": "not-found"}
    uid = dashboard.get("uid") or f"d{state.next_id}"
    existing = state.dashboards.get(uid)
    overwrite = bool(body.get("overwrite"))
    if existing and not overwrite and existing.dashboard["version"] != dashboard.get("version"):
        return 412, {"message": "The dashboard has been changed by someone else", "status": "version-mismatch"}
    for other_uid, other in state.dashboards.items():
        same_place = other.folder_uid == folder_uid and other.dashboard["title"] == dashboard["title"]
        if same_place and other_uid != uid and not overwrite:
            message = "A dashboard with the same name in the folder already exists"
            return 412, {"message": message, "status": "name-exists"}
    dashboard["uid"] = uid
    dashboard["id"] = existing.dashboard["id"] if existing else state.new_id()
    dashboard["version"] = existing.dashboard["version"] + 1 if existing else 1
    messages = existing.messages if existing else []
    state.dashboards[uid] = Saved(dashboard, folder_uid, [*messages, body.get("message", "")])
    slug = _slug(dashboard["title"])
    return 200, {
        "id": dashboard["id"],
        "uid": uid,
        "url": f"/d/{uid}/{slug}",
        "status": "success",
        "version": dashboard["version"],
        "slug": slug,
        "folderUid": folder_uid,
    }


def _delete_dashboard(state: GrafanaState, uid: str) -> tuple[int, Any]:
    saved = state.dashboards.pop(uid, None)
    if saved is None:
        return 404, {"message": "Dashboard not found"}
    title = saved.dashboard["title"]
    return 200, {"title": title, "message": f"Dashboard {title} deleted", "id": saved.dashboard["id"]}


def _search(state: GrafanaState, query: dict[str, list[str]]) -> list[Json]:
    folder_uids = {uid for value in query.get("folderUIDs", []) for uid in value.split(",")}
    text = query.get("query", [""])[0].lower()
    hits = []
    for uid, saved in sorted(state.dashboards.items()):
        if query.get("type", ["dash-db"])[0] != "dash-db":
            continue
        if folder_uids and saved.folder_uid not in folder_uids:
            continue
        if text not in saved.dashboard["title"].lower():
            continue
        folder = state.folders.get(saved.folder_uid, {})
        hits.append(
            {
                "id": saved.dashboard["id"],
                "uid": uid,
                "title": saved.dashboard["title"],
                "uri": f"db/{_slug(saved.dashboard['title'])}",
                "url": f"/d/{uid}/{_slug(saved.dashboard['title'])}",
                "type": "dash-db",
                "tags": saved.dashboard.get("tags", []),
                "isStarred": False,
                "folderId": folder.get("id", 0),
                "folderUid": saved.folder_uid,
                "folderTitle": folder.get("title", ""),
            }
        )
    return hits


class FakeGrafana(ThreadingHTTPServer):
    """The fake Grafana on 127.0.0.1, serving from a background thread."""

    def __init__(self, token: str) -> None:
        super().__init__(("127.0.0.1", 0), GrafanaHandler)
        self.state = GrafanaState(token=token)
        self.lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> FakeGrafana:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
