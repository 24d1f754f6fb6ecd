"""The agent console: a web page served by the hub (plain HTML/JS/CSS in ``handoff/static/``).

- ``GET /agent``                  the console (log in, queue, conversation + context, reply).
- ``GET /agent/assets/{name}``    its scripts and styles (a fixed list; anything else is 404).

The page talks to the agent API (``/api/v1/agent``), the agent websocket and the conversation
websocket of the same hub; it has no server-side state of its own.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

__all__ = ["ASSETS", "STATIC_DIR", "router"]

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"

#: File name -> media type of everything the page loads.
ASSETS = {
    "console.css": "text/css; charset=utf-8",
    "console-text.js": "text/javascript; charset=utf-8",
    "console-context.js": "text/javascript; charset=utf-8",
    "console-transcript.js": "text/javascript; charset=utf-8",
    "console-canned.js": "text/javascript; charset=utf-8",
    "console-canned-panel.js": "text/javascript; charset=utf-8",
    "console-labels.js": "text/javascript; charset=utf-8",
    "console-learning.js": "text/javascript; charset=utf-8",
    "console-presence.js": "text/javascript; charset=utf-8",
    "console.js": "text/javascript; charset=utf-8",
    "console-media.js": "text/javascript; charset=utf-8",
    "console-media.css": "text/css; charset=utf-8",
    "console-supervisor.css": "text/css; charset=utf-8",
    "console-supervisor.js": "text/javascript; charset=utf-8",
    "console-admin.js": "text/javascript; charset=utf-8",
    "console-password.js": "text/javascript; charset=utf-8",
}

router = APIRouter(tags=["console"])

# Revalidate on every load: agents get a new console as soon as it is deployed.
_HEADERS = {"Cache-Control": "no-cache"}


@router.get("/agent", include_in_schema=False)
async def console_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "console.html", media_type="text/html; charset=utf-8", headers=_HEADERS)


@router.get("/agent/assets/{name}", include_in_schema=False)
async def console_asset(name: str) -> FileResponse:
    media_type = ASSETS.get(name)
    if media_type is None:
        raise HTTPException(404)  # mapped to the hub's JSON error (hub/api/errors.py)
    return FileResponse(STATIC_DIR / name, media_type=media_type, headers=_HEADERS)
