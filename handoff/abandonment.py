"""The periodic job that marks handoffs abandoned when the waiting customer went silent."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from handoff import after_hours, desk, hours, queue, queue_notices, requests
from hub import delivery, status
from hub.bus import EventName, emit
from hub.crud import events
from hub.models import Conversation
from hub.services import Services

__all__ = ["abandon_stale", "run"]

log = logging.getLogger(__name__)


async def abandon_stale(services: Services, *, now: datetime | None = None) -> int:
    """Mark handoffs whose customer went silent while waiting as abandoned (conversation resolved).

    A handoff queued while the desk was closed waits at least until the next opening + the window.
    """
    now = now or hours.clock()
    after = timedelta(seconds=services.settings.handoff_abandon_after)
    changed: list[Conversation] = []
    uow = services.unit_of_work()
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
            await status.resolve(session, conversation=item.conversation, by="abandoned")
            changed.append(item.conversation)
    for conversation in changed:
        await delivery.publish_status(services, conversation=conversation)
    if changed:
        await desk.publish_queue(services, {"type": "queue_changed"})
        log.info("handoffs abandoned", extra={"count": len(changed)})
        await queue_notices.after_change(services)
    await uow.flush()
    return len(changed)


async def run(services: Services) -> None:
    """Every HANDOFF_SWEEP_INTERVAL seconds, abandon stale handoffs (until cancelled)."""
    while True:
        await asyncio.sleep(services.settings.handoff_sweep_interval)
        try:
            await abandon_stale(services)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("abandonment sweep failed; retrying at the next interval")
