"""What the handoff desk does after the hub's commits: it listens on the event bus (hub/bus.py).

- ``handoff.requested`` (a new waiting handoff): send Rasa the pause staged with it, tell the agents'
  consoles, auto-assign when HANDOFF_AUTO_ASSIGN is on;
- ``handoff.ended`` (hand-back, resolved, abandoned): send Rasa the resume staged with it (both retried
  by the worker until Rasa accepts them: handoff/rasa_tracker.py), so a conversation its customer
  reopens is the bot's again;
- ``message.skipped`` (a customer wrote while people own the conversation): an email left while queued
  outside business hours is stored and acknowledged (handoff/after_hours.py); an answer to "¿Sigues
  ahí?" is acknowledged with the place kept (handoff/abandonment.py);
- ``agent.online``: waiting customers who heard nobody was there hear that someone is, once
  (handoff/queue_notices.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from handoff import abandonment, after_hours, desk, queue, requests
from handoff.queue_notices import QueueNotices
from handoff.rasa_tracker import RasaTracker
from hub.broadcast import Broadcast
from hub.bus import BusEvent, Database, EventBus, EventName
from hub.crud import conversations
from hub.delivery import Delivery

if TYPE_CHECKING:
    from handoff.settings import HandoffSettings

__all__ = ["Listeners"]


class Listeners:
    def __init__(
        self,
        *,
        db: Database,
        delivery: Delivery,
        broadcast: Broadcast,
        tracker: RasaTracker,
        notices: QueueNotices,
        settings: HandoffSettings,
    ) -> None:
        self._db = db
        self._delivery = delivery
        self._broadcast = broadcast
        self._tracker = tracker
        self._notices = notices
        self._settings = settings
        self._auto_assign_on = settings.handoff_auto_assign

    def subscribe(self, bus: EventBus) -> None:
        bus.subscribe(EventName.HANDOFF_REQUESTED, self.handoff_requested)
        bus.subscribe(EventName.HANDOFF_ENDED, self.handoff_ended)
        bus.subscribe(EventName.MESSAGE_SKIPPED, self.message_skipped)
        bus.subscribe(EventName.AGENT_ONLINE, self.agent_online)

    async def handoff_requested(self, event: BusEvent) -> None:
        if event.data.get("state") != requests.WAITING or event.conversation_id is None:
            return  # noted: people already own the conversation
        conversation_id = event.conversation_id
        await self._tracker.send_due()  # the pause staged with the handoff
        frame = {"type": "queue_changed", "conversation_id": conversation_id}
        await desk.publish_queue(self._broadcast, frame)
        if self._auto_assign_on:
            await self._auto_assign(conversation_id)

    async def _auto_assign(self, conversation_id: int) -> None:
        async with self._db.unit_of_work() as uow:
            async with uow.transaction() as session:
                handoff = await queue.current(session, conversation_id=conversation_id)
                if handoff is None or handoff.state != requests.WAITING:
                    return
                agent = await queue.auto_assign(session, handoff=handoff)
                if agent is None:
                    return
                current = await conversations.get(session, conversation_id=conversation_id)
                assert current is not None
                notice = await desk.joined(session, current, handoff, agent, by="auto_assign")
            await self._delivery.deliver(conversation=current, messages=[notice])

    async def handoff_ended(self, event: BusEvent) -> None:
        # The resume staged with the hand-back, or with the resolution (a reopened conversation is the bot's).
        await self._tracker.send_due()

    async def message_skipped(self, event: BusEvent) -> None:
        if event.conversation_id is None:
            return
        await after_hours.capture_email(
            sessions=self._db.sessions,
            delivery=self._delivery,
            conversation_id=event.conversation_id,
            message_id=int(event.data["message_id"]),
        )
        await abandonment.acknowledge_answer(
            sessions=self._db.sessions,
            delivery=self._delivery,
            settings=self._settings,
            conversation_id=event.conversation_id,
            message_id=int(event.data["message_id"]),
        )

    async def agent_online(self, event: BusEvent) -> None:
        await self._notices.agent_online(agent_id=int(event.data["agent_id"]))
