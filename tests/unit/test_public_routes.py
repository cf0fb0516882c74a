"""The route list the Ingress must match, computed from the app's own route table."""

from __future__ import annotations

from pathlib import Path

from app.asgi import INTERNAL_ROUTES, public_routes
from app.settings import Settings
from tests.unit.apps import client


def test_public_routes_are_the_served_paths_without_the_internal_ones() -> None:
    routes = public_routes()
    assert routes == sorted(set(routes))
    assert {"/", "/ask", "/ask/stream", "/questions", "/questions/{question_id:uuid}", "/audit", "/healthz",
            "/conversations/{conversation_id:uuid}", "/schema", "/static/{file_path:path}"} <= set(routes)  # fmt: skip
    assert not INTERNAL_ROUTES & set(routes)
    assert all(route == "/" or route.split("/")[1] in {"ask", "questions", "conversations", "audit", "schema",
               "static", "healthz"} for route in routes)  # fmt: skip


def test_every_listed_route_is_really_served(tmp_path: Path) -> None:
    values = {"{question_id:uuid}": "00000000-0000-4000-8000-000000000000", "{file_path:path}": "app.js",
              "{conversation_id:uuid}": "00000000-0000-4000-8000-000000000000", "{path:str}": "swagger"}  # fmt: skip
    with client(tmp_path, Settings()) as test_client:
        for route in [*public_routes(), *INTERNAL_ROUTES]:
            path = route
            for template, value in values.items():
                path = path.replace(template, value)
            statuses = {test_client.request(method, path).status_code for method in ("GET", "POST", "DELETE")}
            # The router answers 404 (no route) or 405 (no such method); anything else is a handler's answer.
            assert statuses - {404, 405}, f"{route} is listed but nothing serves {path}"
