"""The website widget's files and the demo shop page that embeds it.

- ``GET /widget.js``  the widget (plain JS, no build step); embed with one script tag.
- ``GET /widget.css`` its styles (the script loads them into its shadow root).
- ``GET /demo``       "Tienda Sol", a demo online clothing shop with the widget on it.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

__all__ = ["STATIC_DIR", "router"]

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"

router = APIRouter(tags=["widget"])

# Revalidate on every load: a deploy changes the widget on every shop page at once.
_HEADERS = {"Cache-Control": "no-cache"}


def _file(name: str, media_type: str) -> FileResponse:
    return FileResponse(STATIC_DIR / name, media_type=media_type, headers=_HEADERS)


@router.get("/widget.js", include_in_schema=False)
async def widget_js() -> FileResponse:
    return _file("widget.js", "text/javascript; charset=utf-8")


@router.get("/widget.css", include_in_schema=False)
async def widget_css() -> FileResponse:
    return _file("widget.css", "text/css; charset=utf-8")


@router.get("/demo", include_in_schema=False)
async def demo_shop() -> FileResponse:
    return _file("demo.html", "text/html; charset=utf-8")
