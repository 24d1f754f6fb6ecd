"""The periodic sweep over waiting handoffs: ask "¿Sigues ahí?", and end the waits of customers who left.

The rule is handoff/waiting.py (the policy file's ``waiting`` section); this module gathers its facts
(last customer message, the last question, the widget's open/close events recorded by the hub's widget
channel, business hours) and acts: the question is an activity message plus event
``still_there_asked``; an ended wait is ``handoff_abandoned`` with ``{"cause", "waited_seconds"}`` (the
conversation is resolved). A customer who answers the question hears that they keep their place
(:func:`acknowledge_answer`, event ``still_there_answered``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff import after_hours, desk, notices, queue, rasa_tracker, requests, waiting
from handoff.queue_notices import QueueNotices
from hub import periodic, status
from hub.broadcast import Broadcast
from hub.bus import Database, EventName, emit
from hub.crud import conversations, events
from hub.crud import messages as messages_crud
from hub.delivery import Delivery
from hub.models import Conversation, Event, Message, utcnow

if TYPE_CHECKING:
    from handoff.settings import HandoffSettings

__all__ = ["Abandonment", "acknowledge_answer"]

log = logging.getLogger(__name__)

ASKED = "still_there_asked"
ANSWERED = "still_there_answered"
#: Recorded by the hub's widget channel (hub/channels/widget_socket.py) while people own the conversation.
WIDGET_CLOSED, WIDGET_OPENED = "widget_closed", "widget_opened"


async def _last_incoming(session: AsyncSession, ids: list[int]) -> dict[int, datetime]:
    rows = await session.execute(
        sa.select(Message.conversation_id, sa.func.max(Message.created_at))
        .where(Message.conversation_id.in_(ids), Message.message_type == "incoming")
        .group_by(Message.conversation_id)
    )
    return {cid: at for cid, at in rows.all() if at is not None}


async def _marks(session: AsyncSession, ids: list[int]) -> dict[int, list[tuple[str, Any, datetime]]]:
    rows = await session.execute(
        sa.select(Event.conversation_id, Event.kind, Event.data, Event.created_at)
        .where(Event.conversation_id.in_(ids), Event.kind.in_((ASKED, WIDGET_CLOSED, WIDGET_OPENED)))
        .order_by(Event.id)
    )
    found: dict[int, list[tuple[str, Any, datetime]]] = defaultdict(list)
    for cid, kind, data, at in rows.all():
        found[cid].append((kind, data or {}, at))
    return found


def _at(raw: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def _facts(
    item: queue.QueueItem,
    *,
    last_incoming: datetime | None,
    marks: list[tuple[str, Any, datetime]],
    desk_closed: bool,
) -> waiting.Facts:
    handoff, conversation = item.handoff, item.conversation
    asked_at = closed_at = None
    for kind, data, at in marks:
        if kind == ASKED and data.get("handoff_id") == handoff.id:
            asked_at = _at(data.get("at")) or at
        elif kind == WIDGET_CLOSED:
            closed_at = at
        elif kind == WIDGET_OPENED:
            closed_at = None
    return waiting.Facts(
        channel=conversation.channel,
        requested_at=handoff.requested_at,
        last_incoming=last_incoming,
        asked_at=asked_at,
        widget_closed_at=closed_at,
        desk_closed=desk_closed,
        held_until=after_hours.held_until(handoff),
    )


class Abandonment:
    """The sweep, on the hub database, delivery, the agents' topic and the queue re-notices."""

    def __init__(
        self,
        *,
        db: Database,
        delivery: Delivery,
        broadcast: Broadcast,
        notices: QueueNotices,
        settings: HandoffSettings,
    ) -> None:
        self._db = db
        self._delivery = delivery
        self._broadcast = broadcast
        self._notices = notices
        self._settings = settings
        self._after = timedelta(seconds=settings.handoff_abandon_after)
        self._interval = settings.handoff_sweep_interval

    def _rule(self) -> waiting.WaitingRule:
        try:
            return self._settings.policy().waiting
        except Exception:
            log.exception("waiting rule unreadable; using the defaults")
            return waiting.WaitingRule()

    async def abandon_stale(self, *, now: datetime | None = None) -> int:
        """Ask silent waiting customers "¿Sigues ahí?"; end the waits of those who left. Returns how many
        waits ended (the conversation resolved)."""
        now = now or utcnow()
        rule = self._rule()
        ended: list[Conversation] = []
        told: list[tuple[Conversation, Message]] = []  # "¿Sigues ahí?", and the end of unanswered waits
        uow = self._db.unit_of_work()
        async with uow.transaction() as session:
            items = await queue.waiting(session)
            ids = [item.conversation.id for item in items]
            last = await _last_incoming(session, ids) if ids else {}
            marks = await _marks(session, ids) if ids else {}
            for item in items:
                handoff, conversation = item.handoff, item.conversation
                closed = after_hours.closed_now(
                    self._settings, language=conversation.language, skill=handoff.skill, now=now
                )
                if closed is not None:
                    after_hours.hold_until_opening(handoff, closed)
                facts = _facts(
                    item,
                    last_incoming=last.get(conversation.id),
                    marks=marks.get(conversation.id, []),
                    desk_closed=closed is not None,
                )
                found = waiting.verdict(facts, rule=rule, after=self._after, now=now)
                if found.action == "ask":
                    told.append((conversation, await self._ask(session, item, now=now)))
                elif found.action == "abandon":
                    cause = found.cause or "no_answer"
                    ending = await self._abandon(session, item, cause=cause, now=now)
                    if ending is not None:
                        told.append((conversation, ending))
                    ended.append(conversation)
        for conversation, message in told:
            await self._delivery.deliver(conversation=conversation, messages=[message])
        for conversation in ended:
            await self._delivery.publish_status(conversation=conversation)
        if told:
            log.info("waiting customers told (still there? / wait ended)", extra={"count": len(told)})
        if ended:
            await desk.publish_queue(self._broadcast, {"type": "queue_changed"})
            log.info("handoffs abandoned", extra={"count": len(ended)})
            await self._notices.after_change()
        await uow.flush()
        return len(ended)

    async def _ask(self, session: AsyncSession, item: queue.QueueItem, *, now: datetime) -> Message:
        conversation = item.conversation
        message = await messages_crud.add_activity(
            session,
            conversation=conversation,
            text=notices.still_there(conversation.language),
            data={"still_there": True},
        )
        await events.record(
            session,
            conversation_id=conversation.id,
            kind=ASKED,
            message_id=message.id,
            data={"handoff_id": item.handoff.id, "at": now.isoformat()},
        )
        return message

    async def _abandon(
        self, session: AsyncSession, item: queue.QueueItem, *, cause: str, now: datetime
    ) -> Message | None:
        """End the wait; a customer who did not answer "¿Sigues ahí?" is told (the message returned)."""
        handoff, conversation = item.handoff, item.conversation
        requests.end(handoff, "abandoned")
        emit(
            session,
            EventName.HANDOFF_ENDED,
            conversation_id=conversation.id,
            handoff_id=handoff.id,
            reason="abandoned",
            cause=cause,
        )
        await events.record(
            session,
            conversation_id=conversation.id,
            kind="handoff_abandoned",
            data={
                "handoff_id": handoff.id,
                "cause": cause,
                "waited_seconds": round((now - handoff.requested_at).total_seconds()),
            },
        )
        told = None
        if cause == "no_answer":  # still reachable (a closed WhatsApp window or widget is not)
            told = await messages_crud.add_activity(
                session, conversation=conversation, text=notices.wait_ended(conversation.language), data=None
            )
        rasa_tracker.stage(session, conversation_id=conversation.id, event="resume")
        await status.resolve(session, conversation=conversation, by="abandoned")
        return told

    async def run(self) -> None:
        """Every HANDOFF_SWEEP_INTERVAL seconds, look at the waiting handoffs (until cancelled)."""
        await periodic.every(self._interval, self.abandon_stale, what="abandonment sweep", wait_first=True)


async def acknowledge_answer(
    *,
    sessions: async_sessionmaker[AsyncSession],
    delivery: Delivery,
    settings: HandoffSettings,
    conversation_id: int,
    message_id: int,
) -> bool:
    """The customer wrote after "¿Sigues ahí?": tell them, once per question, that they keep their place."""
    async with sessions.begin() as session:
        conversation = await conversations.get(session, conversation_id=conversation_id)
        handoff = await queue.current(session, conversation_id=conversation_id)
        if conversation is None or handoff is None or handoff.state != requests.WAITING:
            return False
        rows = await session.execute(
            sa.select(Event.kind, Event.data)
            .where(Event.conversation_id == conversation_id, Event.kind.in_((ASKED, ANSWERED)))
            .order_by(Event.id.desc())
            .limit(1)
        )
        last = rows.first()
        if last is None or last[0] != ASKED or (last[1] or {}).get("handoff_id") != handoff.id:
            return False
        closed = after_hours.closed_now(
            settings, language=conversation.language, skill=handoff.skill, now=utcnow()
        )
        place: int | None = None if closed else await queue.position(session, handoff=handoff)
        wait = None
        if place is not None:
            wait = await queue.estimated_wait(
                session,
                position=place,
                language=handoff.language,
                default_handle_seconds=settings.handoff_default_handle_seconds,
            )
        text = notices.still_waiting(conversation.language, position=place, wait_seconds=wait)
        ack = await messages_crud.add_activity(
            session, conversation=conversation, text=text, data={"queue_position": place}
        )
        await events.record(
            session,
            conversation_id=conversation_id,
            kind=ANSWERED,
            message_id=message_id,
            data={"handoff_id": handoff.id, "position": place},
        )
    await delivery.deliver(conversation=conversation, messages=[ack])
    return True
