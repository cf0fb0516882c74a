"""The chat page: static HTML, CSS and plain JavaScript served by the service (no build step, no CDN)."""

from __future__ import annotations

from pathlib import Path

from litestar import MediaType, Response, get
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

WEB_DIR = Path(__file__).parent
INDEX = (WEB_DIR / "index.html").read_bytes()


@get("/", include_in_schema=False, cache=False)
async def index() -> Response[bytes]:
    """The chat page."""
    return Response(INDEX, media_type=MediaType.HTML)


def web_routes() -> list[ControllerRouterHandler]:
    """The page and its static assets (CSS, JavaScript)."""
    static = create_static_files_router(
        path="/static", directories=[WEB_DIR], include_in_schema=False, send_as_attachment=False
    )
    return [index, static]
