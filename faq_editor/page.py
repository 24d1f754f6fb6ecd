"""The FAQ editor page: plain HTML/JS/CSS in ``faq_editor/static/``, served by the hub (no CDN).

- ``GET /faq``                 the page (the console's login; agents read, supervisors and admins edit).
- ``GET /faq/assets/{name}``   its scripts and style (a fixed list; anything else is 404).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse

from faq_editor.editor import FaqEditor

__all__ = ["ASSETS", "router"]

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"
ASSETS = {
    "faq.css": "text/css; charset=utf-8",
    "faq.js": "text/javascript; charset=utf-8",
    "faq-text.js": "text/javascript; charset=utf-8",
    "faq-learned.js": "text/javascript; charset=utf-8",
}
router = APIRouter(tags=["faq editor"])
_HEADERS = {"Cache-Control": "no-cache"}


@router.get("/faq", include_in_schema=False)
async def faq_page(request: Request) -> FileResponse:
    editor = getattr(request.app.state, "faq_editor", None)
    if editor is not None:  # open the knowledge base while the page loads and its user logs in
        threading.Thread(target=_warm_up, args=(editor,), name="faq-editor-warm-up", daemon=True).start()
    return FileResponse(STATIC_DIR / "faq.html", media_type="text/html; charset=utf-8", headers=_HEADERS)


def _warm_up(editor: FaqEditor) -> None:
    try:
        editor.catalog()
    except Exception:  # the API reports it (503 kb_unavailable) when the page asks
        log.warning("the FAQ editor could not open the knowledge base", exc_info=True)


@router.get("/faq/assets/{name}", include_in_schema=False)
async def faq_asset(name: str) -> FileResponse:
    media_type = ASSETS.get(name)
    if media_type is None:
        raise HTTPException(404)
    return FileResponse(STATIC_DIR / name, media_type=media_type, headers=_HEADERS)
