"""Rasa's copy of a conversation (its tracker: every text, intent, entity and slot): read and erase.

Reading uses Rasa's HTTP API, ``GET {RASA_URL}/conversations/{id}/tracker`` (``?token=RASA_TOKEN``).
Erasing cannot: Rasa 3.6 has no endpoint that deletes a tracker (RasaHQ/rasa#10719), and replacing its
events (``PUT .../tracker/events`` with an empty list) leaves the SQL tracker store's rows in place,
because that store only appends the events it has not stored yet. The SQL tracker store
(endpoints.yml, ``make run``: ``DATA_DIR/rasa_tracker.db``) is ours, so erasure deletes the
conversation's rows there: table ``events``, column ``sender_id`` = the hub's conversation id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine

from hub import rasa_servers
from hub.errors import HubError
from hub.settings import Settings

__all__ = ["TrackerStoreError", "erase", "fetch"]

log = logging.getLogger(__name__)

_TIMEOUT = 10.0


class TrackerStoreError(HubError):
    """Rasa's tracker store could not be reached or changed; nothing of the hub was deleted."""

    code = "tracker_store_unavailable"
    http_status = 503

    def __init__(self, why: str) -> None:
        super().__init__(
            f"No se pudo borrar el historial de Rasa ({why}); no se ha borrado nada, inténtalo de nuevo. / "
            f"Rasa's tracker store could not be changed ({why}); nothing was erased, try again."
        )


async def fetch(*, http: httpx.AsyncClient, settings: Settings, conversation_id: int) -> dict[str, Any]:
    """The tracker as Rasa returns it; ``{"error": ...}`` when Rasa does not answer (the export says so)."""
    url = rasa_servers.tracker_url(settings.rasa_url, conversation_id)
    params = {"token": settings.rasa_token} if settings.rasa_token else {}
    try:
        response = await http.get(url, params=params, timeout=_TIMEOUT)
        response.raise_for_status()
        tracker = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("could not read a Rasa tracker for an export", extra={"conversation_id": conversation_id})
        return {"error": f"Rasa did not return this tracker ({type(exc).__name__})"}
    if not isinstance(tracker, dict):
        return {"error": "Rasa returned something that is not a tracker"}
    return tracker


def store_url(settings: Settings) -> str | None:
    """The tracker store's SQLAlchemy async URL; None when erasure must leave Rasa alone."""
    if settings.rasa_tracker_store_url is not None:
        return settings.rasa_tracker_store_url.strip() or None
    path = settings.data_dir / "rasa_tracker.db"
    return f"sqlite+aiosqlite:///{path}" if path.exists() else None


async def erase(settings: Settings, *, conversation_ids: Iterable[int]) -> int:
    """Delete the trackers of these conversations from Rasa's SQL tracker store; events deleted.

    0 when there is no store (Rasa never ran here, or RASA_TRACKER_STORE_URL is empty). Raises
    :class:`TrackerStoreError` when the store exists but cannot be changed: the caller stops before
    deleting anything of its own, so the erasure can be run again.
    """
    senders = [str(i) for i in conversation_ids]
    url = store_url(settings)
    if not senders or url is None:
        return 0
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            names = await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names())
            if "events" not in names:
                return 0
            events = sa.table("events", sa.column("sender_id"))
            result = await conn.execute(sa.delete(events).where(events.c.sender_id.in_(senders)))
            return int(getattr(result, "rowcount", 0) or 0)
    except SQLAlchemyError as exc:
        raise TrackerStoreError(type(exc).__name__) from exc
    finally:
        await engine.dispose()
