"""Supervisors hear when a customer has waited too long: a live alert in their console.

Every few seconds the waiting handoffs are looked at; one waiting longer than HANDOFF_WAIT_ALERT_AFTER
seconds (0: off) is announced once on the agents' topic (``{"type": "wait_alert", "conversation_id",
"handoff_id", "waiting_seconds", "language", "skill", "priority", "channel"}``; the console shows it to
supervisors and admins) and recorded as event ``wait_alert_sent``, so a restart or a second process
never repeats it. A supervisor who opens the console later sees the same waits in the overview
(``GET /api/v1/agent/supervision``: ``wait_alert_after`` and each waiting time).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff import desk, queue
from handoff.customer_facts import name_entries
from handoff.schemas import QueueEntry
from hub import periodic
from hub.broadcast import Broadcast
from hub.crud import events
from hub.models import Event, utcnow

if TYPE_CHECKING:
    from handoff.settings import HandoffSettings

__all__ = ["ALERTED", "WaitAlerts"]

log = logging.getLogger(__name__)

ALERTED = "wait_alert_sent"
_ADVISORY_KEY = 0x5A1E_47  # any constant shared by every hub process


async def _alerted(session: AsyncSession, conversation_ids: list[int]) -> set[int]:
    rows = await session.execute(
        sa.select(Event.data).where(Event.conversation_id.in_(conversation_ids), Event.kind == ALERTED)
    )
    return {
        int(data["handoff_id"]) for data in rows.scalars() if isinstance((data or {}).get("handoff_id"), int)
    }


class WaitAlerts:
    def __init__(
        self, *, sessions: async_sessionmaker[AsyncSession], broadcast: Broadcast, settings: HandoffSettings
    ) -> None:
        self._sessions = sessions
        self._broadcast = broadcast
        self._after = settings.handoff_wait_alert_after

    @property
    def interval(self) -> float:
        """How often to look: a tenth of the threshold, between 1 and 15 seconds."""
        return max(1.0, min(15.0, self._after / 10))

    async def check(self, *, now: datetime | None = None) -> int:
        """Announce the waits that passed the threshold since the last look; returns how many."""
        if self._after <= 0:
            return 0
        now = now or utcnow()
        frames: list[dict[str, Any]] = []
        async with self._sessions.begin() as session:
            if session.get_bind().dialect.name == "postgresql":
                await session.execute(sa.select(sa.func.pg_advisory_xact_lock(_ADVISORY_KEY)))
            due = [
                item
                for item in await queue.waiting(session)
                if (now - item.handoff.requested_at).total_seconds() >= self._after
            ]
            if not due:
                return 0
            alerted = await _alerted(session, [item.conversation.id for item in due])
            due = [item for item in due if item.handoff.id not in alerted]
            entries = [QueueEntry.of(item.handoff, item.conversation) for item in due]
            await name_entries(session, entries)  # what the console calls the customer, as in the queue
            for item, entry in zip(due, entries, strict=True):
                waited = round((now - item.handoff.requested_at).total_seconds())
                await events.record(
                    session,
                    conversation_id=item.conversation.id,
                    kind=ALERTED,
                    data={"handoff_id": item.handoff.id, "waiting_seconds": waited, "after": self._after},
                )
                frames.append(
                    {
                        "type": "wait_alert",
                        "conversation_id": entry.conversation_id,
                        "contact_id": entry.contact_id,
                        "customer_name": entry.customer_name,
                        "handoff_id": entry.handoff_id,
                        "waiting_seconds": waited,
                        "language": entry.language,
                        "skill": entry.skill,
                        "priority": entry.priority,
                        "channel": entry.channel,
                        "reason": entry.reason,
                    }
                )
        for frame in frames:
            await desk.publish_queue(self._broadcast, frame)
        if frames:
            log.info("supervisors alerted of long waits", extra={"count": len(frames)})
        return len(frames)

    async def run(self) -> None:
        """Look every :attr:`interval` seconds until cancelled (nothing to do when the alerts are off)."""
        if self._after <= 0:
            return
        await periodic.every(self.interval, self.check, what="wait alerts", wait_first=True)
