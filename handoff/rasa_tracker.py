"""Keep Rasa's tracker true while humans own a conversation: pause on handoff, resume on hand-back.

A persisted outbox, like WhatsApp sends (hub/channels/whatsapp_outbox.py): the transaction that hands a
conversation to people (handoff/turn_policy.py) or back to the bot (handoff/desk.py) stages a
``rasa_tracker_outbox`` row with :func:`stage`; after the commit the listener sends what is due at once
(handoff/listeners.py), and the worker's ``rasa-tracker`` task retries what Rasa did not accept, so a
handoff made while Rasa is down (the usual reason for it: ``bot_unavailable``) pauses Rasa's tracker
when Rasa is back, and a restart loses nothing.

``POST {RASA_URL}/conversations/{id}/tracker/events`` with ``{"event": "pause"}`` / ``{"event":
"resume"}``; :meth:`RasaTracker.slots` reads the tracker's slots for the agent's context (``GET
{RASA_URL}/conversations/{id}/tracker``). A conversation's events go out in order: a pause waiting for
its retry holds back the resume that followed it. Two processes never send one row at once (a row being
sent is leased).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.models import RasaTrackerEvent
from hub import periodic, rasa_servers
from hub.models import utcnow

__all__ = ["EVENTS", "INTERVAL", "RasaTracker", "stage"]

log = logging.getLogger(__name__)

EVENTS = ("pause", "resume")
#: A hung Rasa must not hold up the sender: one call gives up after this many seconds.
_TIMEOUT = 5.0
#: A row being sent is not picked by another process before this.
_LEASE = timedelta(seconds=30)
#: Retry delays: 1 s, 2 s, 4 s ... at most a minute.
_BACKOFF_MAX = 60.0
#: How often the worker looks for events Rasa has not accepted yet.
INTERVAL = 2.0
#: Calls to Rasa at once.
_CONCURRENCY = 8


class _Due(NamedTuple):
    id: int
    conversation_id: int
    event: str
    attempts: int


def stage(session: AsyncSession, *, conversation_id: int, event: str) -> None:
    """Queue ``pause`` or ``resume`` for this conversation, in the caller's transaction."""
    if event not in EVENTS:
        raise ValueError(f"unknown Rasa tracker event {event!r}")
    session.add(RasaTrackerEvent(conversation_id=conversation_id, event=event))


class RasaTracker:
    """Rasa's HTTP API for conversations' trackers (``RASA_URL``, ``?token=RASA_TOKEN`` if set) and the
    outbox of pause/resume events waiting for it."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        http: httpx.AsyncClient,
        rasa_url: str,
        rasa_token: str | None,
    ) -> None:
        self._sessions = sessions
        self._http = http
        self._rasa_url = rasa_url  # one or several servers (hub/rasa_servers.py)
        self._params = {"token": rasa_token} if rasa_token else {}

    async def _claim_heads(self, now: datetime) -> list[_Due]:
        """Each conversation's oldest unsent event, if due, leased to this process.

        One UPDATE ... RETURNING: two senders (the listener and the worker's loop, or two workers) never
        both win a row, and SQLite never has to upgrade a read lock.
        """
        heads = (
            sa.select(sa.func.min(RasaTrackerEvent.id))
            .where(RasaTrackerEvent.sent_at.is_(None))
            .group_by(RasaTrackerEvent.conversation_id)
        )
        table = RasaTrackerEvent.__table__
        claim = (
            sa.update(RasaTrackerEvent)
            .where(RasaTrackerEvent.id.in_(heads), RasaTrackerEvent.next_attempt_at <= now)
            .values(next_attempt_at=now + _LEASE)
            .returning(table.c.id, table.c.conversation_id, table.c.event, table.c.attempts)
        )
        async with self._sessions() as session, session.begin():
            rows = (await session.execute(claim)).all()
        return sorted((_Due(r.id, r.conversation_id, r.event, r.attempts) for r in rows), key=lambda d: d.id)

    async def _post(self, row: _Due) -> str | None:
        """Send one event; None when Rasa accepted it, else what went wrong."""
        url = rasa_servers.tracker_url(self._rasa_url, row.conversation_id, "/events")
        try:
            response = await self._http.post(
                url, params=self._params, json={"event": row.event}, timeout=_TIMEOUT
            )
            response.raise_for_status()
        except httpx.HTTPStatusError as exc:
            return f"HTTP {exc.response.status_code}"
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"[:300]
        return None

    async def _settle(self, row: _Due, error: str | None) -> None:
        now = utcnow()
        if error is None:
            values: dict[str, object] = {"sent_at": now, "error": None}
        else:
            delay = min(_BACKOFF_MAX, 2.0**row.attempts)
            values = {
                "attempts": row.attempts + 1,
                "next_attempt_at": now + timedelta(seconds=delay),
                "error": error[:300],
            }
            log.warning(
                "Rasa did not accept a tracker event; retrying",
                extra={
                    "conversation_id": row.conversation_id,
                    "event": row.event,
                    "attempt": row.attempts + 1,
                    "retry_in_s": delay,
                    "error": error,
                },
            )
        async with self._sessions() as session, session.begin():
            update = sa.update(RasaTrackerEvent).where(RasaTrackerEvent.id == row.id)
            await session.execute(update.values(**values))

    async def send_due(self, *, now: datetime | None = None) -> int:
        """Send every due event, each conversation's in order; returns how many Rasa accepted."""
        sent = 0
        gate = asyncio.Semaphore(_CONCURRENCY)

        async def post(row: _Due) -> str | None:
            async with gate:
                return await self._post(row)

        while True:
            heads = await self._claim_heads(now or utcnow())
            if not heads:
                return sent
            errors = await asyncio.gather(*(post(row) for row in heads))
            for row, error in zip(heads, errors, strict=True):
                await self._settle(row, error)
            accepted = sum(error is None for error in errors)
            sent += accepted
            if accepted == 0:
                return sent  # the rest waits for its retry time

    async def run(self) -> None:
        """Every INTERVAL seconds, send what Rasa has not accepted yet (until cancelled)."""
        await periodic.every(INTERVAL, self.send_due, what="Rasa tracker outbox")

    async def slots(self, *, conversation_id: int) -> Any:
        """The tracker's raw slots (None when Rasa cannot tell; failures are logged)."""
        url = rasa_servers.tracker_url(self._rasa_url, conversation_id)
        try:
            response = await self._http.get(url, params=self._params)
            response.raise_for_status()
            return response.json().get("slots") or {}
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            log.warning(
                "could not read Rasa slots", extra={"conversation_id": conversation_id, "error": str(exc)}
            )
            return None
