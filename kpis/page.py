"""The reports page for supervisors: plain HTML/JS/CSS in ``kpis/static/`` and Chart.js, vendored
(``kpis/static/vendor/``, MIT licence beside it; docs/kpis.md says why), all served by the hub.

- ``GET /reports``                 the page (log in as a supervisor, filters, charts, drill-downs, CSV).
- ``GET /reports/assets/{name}``   its scripts and styles (a fixed list; anything else is 404).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

__all__ = ["ASSETS", "router"]

STATIC_DIR = Path(__file__).resolve().parent / "static"

#: File name -> (path under static/, media type).
ASSETS = {
    "reports.css": ("reports.css", "text/css; charset=utf-8"),
    "reports.js": ("reports.js", "text/javascript; charset=utf-8"),
    "reports-text.js": ("reports-text.js", "text/javascript; charset=utf-8"),
    "chart.umd.min.js": ("vendor/chart.umd.min.js", "text/javascript; charset=utf-8"),
    "chart.js-LICENSE.md": ("vendor/chart.js-LICENSE.md", "text/plain; charset=utf-8"),
}

router = APIRouter(tags=["reports"])
_HEADERS = {"Cache-Control": "no-cache"}


@router.get("/reports", include_in_schema=False)
async def reports_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "reports.html", media_type="text/html; charset=utf-8", headers=_HEADERS)


@router.get("/reports/assets/{name}", include_in_schema=False)
async def reports_asset(name: str) -> FileResponse:
    found = ASSETS.get(name)
    if found is None:
        raise HTTPException(404)
    path, media_type = found
    return FileResponse(STATIC_DIR / path, media_type=media_type, headers=_HEADERS)
