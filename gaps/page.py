"""The knowledge-gap report page: plain HTML/JS/CSS in ``gaps/static/``, served by the hub (no CDN).

- ``GET /gaps``                 the page (the console's login; supervisors and admins).
- ``GET /gaps/assets/{name}``   its scripts and style (a fixed list; anything else is 404).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

__all__ = ["ASSETS", "router"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
ASSETS = {
    "gaps.css": "text/css; charset=utf-8",
    "gaps.js": "text/javascript; charset=utf-8",
    "gaps-text.js": "text/javascript; charset=utf-8",
}
router = APIRouter(tags=["knowledge gaps"])
_HEADERS = {"Cache-Control": "no-cache"}


@router.get("/gaps", include_in_schema=False)
async def gaps_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "gaps.html", media_type="text/html; charset=utf-8", headers=_HEADERS)


@router.get("/gaps/assets/{name}", include_in_schema=False)
async def gaps_asset(name: str) -> FileResponse:
    media_type = ASSETS.get(name)
    if media_type is None:
        raise HTTPException(404)
    return FileResponse(STATIC_DIR / name, media_type=media_type, headers=_HEADERS)
