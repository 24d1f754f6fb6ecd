"""The periodic job that marks handoffs abandoned when the waiting customer went silent."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from handoff import after_hours, desk, queue, rasa_tracker, requests
from handoff.queue_notices import QueueNotices
from hub import periodic, status
from hub.broadcast import Broadcast
from hub.bus import Database, EventName, emit
from hub.crud import events
from hub.delivery import Delivery
from hub.models import Conversation, utcnow

__all__ = ["Abandonment"]

log = logging.getLogger(__name__)


class Abandonment:
    """The sweep, on the hub database, delivery, the agents' topic and the queue re-notices."""

    def __init__(
        self,
        *,
        db: Database,
        delivery: Delivery,
        broadcast: Broadcast,
        notices: QueueNotices,
        abandon_after: float,
        sweep_interval: float,
    ) -> None:
        self._db = db
        self._delivery = delivery
        self._broadcast = broadcast
        self._notices = notices
        self._after = timedelta(seconds=abandon_after)
        self._interval = sweep_interval

    async def abandon_stale(self, *, now: datetime | None = None) -> int:
        """Mark handoffs whose customer went silent while waiting as abandoned (conversation resolved).

        A handoff queued while the desk was closed waits at least until the next opening + the window.
        """
        now = now or utcnow()
        after = self._after
        changed: list[Conversation] = []
        uow = self._db.unit_of_work()
        async with uow.transaction() as session:
            for item in await queue.abandon_candidates(session, now=now, after=after):
                if after_hours.held_for_opening(item.handoff, now=now, after=after):
                    continue
                requests.end(item.handoff, "abandoned")
                emit(
                    session,
                    EventName.HANDOFF_ENDED,
                    conversation_id=item.conversation.id,
                    handoff_id=item.handoff.id,
                    reason="abandoned",
                )
                await events.record(
                    session,
                    conversation_id=item.conversation.id,
                    kind="handoff_abandoned",
                    data={
                        "handoff_id": item.handoff.id,
                        "waited_seconds": round((now - item.handoff.requested_at).total_seconds()),
                    },
                )
                rasa_tracker.stage(session, conversation_id=item.conversation.id, event="resume")
                await status.resolve(session, conversation=item.conversation, by="abandoned")
                changed.append(item.conversation)
        for conversation in changed:
            await self._delivery.publish_status(conversation=conversation)
        if changed:
            await desk.publish_queue(self._broadcast, {"type": "queue_changed"})
            log.info("handoffs abandoned", extra={"count": len(changed)})
            await self._notices.after_change()
        await uow.flush()
        return len(changed)

    async def run(self) -> None:
        """Every HANDOFF_SWEEP_INTERVAL seconds, abandon stale handoffs (until cancelled)."""
        await periodic.every(self._interval, self.abandon_stale, what="abandonment sweep", wait_first=True)
