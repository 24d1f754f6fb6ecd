"""GET /healthz: is the hub up, can it reach its database and Rasa."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from hub.api.deps import RasaDep, SessionsDep

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz(sessions: SessionsDep, rasa_client: RasaDep) -> JSONResponse:
    """200 while the database works (Rasa down degrades, messages wait); 503 without a DB."""
    try:
        async with sessions() as session:
            await session.execute(sa.text("SELECT 1"))
        db = "ok"
    except Exception as exc:
        log.warning("database check failed", extra={"error": str(exc)})
        db = "down"
    rasa = "up" if await rasa_client.is_up() else "down"
    body = {"status": "ok" if db == "ok" else "down", "rasa": rasa, "db": db}
    return JSONResponse(body, status_code=200 if db == "ok" else 503)
