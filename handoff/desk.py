"""The agents' commands: claim, reply, note, transfer, resolve, hand back.

Each commits its state change in a unit of work (hub/bus.py), delivers what it stored
(``hub.delivery``) and then publishes its events (``handoff.assigned``, ``handoff.transferred``,
``handoff.ended``, ``conversation.*``). The bot-turn side is handoff/turn_policy.py (in the turn's
transaction) and handoff/listeners.py (after it); the abandonment sweep is handoff/abandonment.py.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handoff import agents as agents_crud
from handoff import notices, permissions, queue, rasa_tracker, requests
from handoff.errors import (
    AgentNotFound,
    AgentUnavailable,
    AlreadyClaimed,
    NothingToClaim,
    NotYourConversation,
    NotYourQueue,
    OverCapacity,
    WrongConversationState,
)
from handoff.models import Agent, Handoff
from handoff.queue_notices import QueueNotices
from hub import status
from hub.broadcast import Broadcast
from hub.bus import Database, EventName, emit
from hub.crud import conversations, events
from hub.crud import messages as messages_crud
from hub.delivery import Delivery
from hub.errors import ConversationNotFound
from hub.models import Conversation, Message, utcnow

__all__ = ["QUEUE_TOPIC", "Desk", "assigned_to", "joined", "publish_queue"]

log = logging.getLogger(__name__)

#: Broadcast topic agents' consoles follow: {"type": "queue_changed"}, {"type": "note", ...}.
QUEUE_TOPIC = "agents:queue"


async def publish_queue(broadcast: Broadcast, frame: dict[str, Any]) -> None:
    """A frame for the agents' consoles; a failure is logged, never raised."""
    try:
        await broadcast.publish(QUEUE_TOPIC, frame)
    except Exception:
        log.exception("could not publish to the agents' topic")


async def joined(
    session: AsyncSession, conversation: Conversation, handoff: Handoff, agent: Agent, *, by: str
) -> Message:
    await events.record(
        session,
        conversation_id=conversation.id,
        kind="agent_assigned",
        data={"agent_id": agent.id, "handoff_id": handoff.id, "by": by},
    )
    emit(
        session,
        EventName.HANDOFF_ASSIGNED,
        conversation_id=conversation.id,
        handoff_id=handoff.id,
        agent_id=agent.id,
        by=by,
    )
    conversation.updated_at = utcnow()
    return await messages_crud.add_activity(
        session,
        conversation=conversation,
        text=notices.agent_joined(conversation.language, agent_name=agent.name),
        data={"agent_id": agent.id},
    )


async def _agent(session: AsyncSession, agent_id: int) -> Agent:
    agent = await agents_crud.get(session, agent_id=agent_id)
    if agent is None:
        raise AgentNotFound(agent_id)
    return agent


async def assigned_to(
    session: AsyncSession, *, agent: Agent, conversation_id: int
) -> tuple[Conversation, Handoff]:
    """The conversation and its handoff, if it is assigned to ``agent``; else 404/403."""
    conversation = await conversations.get(session, conversation_id=conversation_id)
    if conversation is None:
        raise ConversationNotFound(conversation_id)
    handoff = await queue.current(session, conversation_id=conversation_id)
    if handoff is None or handoff.state != requests.ASSIGNED or handoff.agent_id != agent.id:
        raise NotYourConversation(conversation_id)
    return conversation, handoff


async def _owned(session: AsyncSession, agent: Agent, conversation_id: int) -> tuple[Conversation, Handoff]:
    conversation, handoff = await assigned_to(session, agent=agent, conversation_id=conversation_id)
    if not status.is_people_owned(conversation):
        raise WrongConversationState(conversation_id, conversation.status, status.OPEN)
    return conversation, handoff


def _end(session: AsyncSession, handoff: Handoff, reason: str) -> None:
    requests.end(handoff, reason)
    emit(
        session,
        EventName.HANDOFF_ENDED,
        conversation_id=handoff.conversation_id,
        handoff_id=handoff.id,
        reason=reason,
    )


class Desk:
    """The agents' commands on the hub database, delivery and the agents' topic."""

    def __init__(
        self, *, db: Database, delivery: Delivery, broadcast: Broadcast, notices: QueueNotices
    ) -> None:
        self._db = db
        self._delivery = delivery
        self._broadcast = broadcast
        self._notices = notices

    async def claim(self, *, agent_id: int, conversation_id: int | None = None) -> Handoff:
        """Take the next conversation of the queue (or the given one); atomic against other agents.

        By id, the agent must speak its language and have its skill like the queue's claim (403
        ``not_your_queue``), unless a supervisor (handoff/permissions.py)."""
        uow = self._db.unit_of_work()
        async with uow.transaction() as session:
            agent = await _agent(session, agent_id)
            if await queue.load(session, agent_id=agent.id) >= agent.max_concurrent:
                raise OverCapacity(agent.max_concurrent)
            if conversation_id is None:
                handoff = await queue.claim_next(session, agent=agent)
                if handoff is None:
                    raise NothingToClaim()
            else:
                if await conversations.get(session, conversation_id=conversation_id) is None:
                    raise ConversationNotFound(conversation_id)
                found = await queue.current(session, conversation_id=conversation_id)
                if found is not None and not permissions.may_claim(agent, found):
                    raise NotYourQueue(conversation_id, found.language, found.skill)
                if found is None or not await queue.claim(session, agent=agent, handoff_id=found.id):
                    raise AlreadyClaimed(conversation_id)
                await session.refresh(found)
                handoff = found
            conversation = await conversations.get(session, conversation_id=handoff.conversation_id)
            assert conversation is not None
            notice = await joined(session, conversation, handoff, agent, by="claim")
        await self._delivery.deliver(conversation=conversation, messages=[notice])
        await publish_queue(self._broadcast, {"type": "queue_changed", "conversation_id": conversation.id})
        await self._notices.after_change()
        await uow.flush()
        return handoff

    async def reply(self, *, agent_id: int, conversation_id: int, text: str) -> Message:
        """The agent's answer, delivered to the customer's channel."""
        async with self._db.sessions.begin() as session:
            agent = await _agent(session, agent_id)
            conversation, _handoff = await _owned(session, agent, conversation_id)
            message = await messages_crud.add_outgoing(
                session,
                conversation=conversation,
                text=text,
                buttons=None,
                sender_type="agent",
                in_reply_to_id=None,
            )
            message.context = {"agent_id": agent.id, "agent_name": agent.name}
            await events.record(
                session,
                conversation_id=conversation.id,
                kind="agent_replied",
                message_id=message.id,
                data={"agent_id": agent.id},
            )
            conversation.updated_at = utcnow()
        await self._delivery.deliver(conversation=conversation, messages=[message])
        return message

    async def add_note(self, *, agent_id: int, conversation_id: int, text: str) -> dict[str, Any]:
        """A private note for agents (an event, never a message: no channel or customer sees it); only on
        a conversation the agent may act on (handoff/permissions.py)."""
        async with self._db.sessions.begin() as session:
            agent = await _agent(session, agent_id)
            await permissions.conversation_for(session, agent=agent, conversation_id=conversation_id)
            event = await events.recorded(
                session,
                conversation_id=conversation_id,
                kind="note_added",
                data={"agent_id": agent.id, "agent_name": agent.name, "text": text},
            )
        note = {
            "id": event.id,
            "conversation_id": conversation_id,
            "agent_id": agent.id,
            "agent_name": agent.name,
            "text": text,
            "created_at": event.created_at.isoformat(),
        }
        await publish_queue(self._broadcast, {"type": "note", "note": note})
        return note

    async def transfer(
        self,
        *,
        agent_id: int,
        conversation_id: int,
        to_agent_id: int | None = None,
        team: str | None = None,
        note: str | None = None,
    ) -> Handoff:
        """Pass the conversation to another agent (who gets it at once) or back to the queue for a team."""
        deliver: list[Message] = []
        uow = self._db.unit_of_work()
        async with uow.transaction() as session:
            agent = await _agent(session, agent_id)
            conversation, handoff = await _owned(session, agent, conversation_id)
            if note:
                await events.record(
                    session,
                    conversation_id=conversation_id,
                    kind="note_added",
                    data={"agent_id": agent.id, "agent_name": agent.name, "text": note, "transfer": True},
                )
            to: dict[str, Any]
            if to_agent_id is not None:
                target = await _agent(session, to_agent_id)
                if target.disabled_at is not None:
                    raise AgentUnavailable(target.id)
                requests.assign(handoff, agent_id=target.id)
                target.last_assigned_at = handoff.claimed_at
                to = {"to_agent_id": target.id}
            else:
                target = None
                requests.requeue(handoff, skill=team)
                to = {"to_team": team}
            await events.record(
                session,
                conversation_id=conversation_id,
                kind="agent_transferred",
                data={"from_agent_id": agent.id, **to, "handoff_id": handoff.id},
            )
            emit(
                session,
                EventName.HANDOFF_TRANSFERRED,
                conversation_id=conversation_id,
                handoff_id=handoff.id,
                from_agent_id=agent.id,
                **to,
            )
            if target is not None:
                deliver.append(await joined(session, conversation, handoff, target, by="transfer"))
        await self._delivery.deliver(conversation=conversation, messages=deliver)
        await publish_queue(self._broadcast, {"type": "queue_changed", "conversation_id": conversation_id})
        await self._notices.after_change()
        await uow.flush()
        return handoff

    async def resolve(self, *, agent_id: int, conversation_id: int) -> Conversation:
        """The agent closes the conversation; the customer's next message reopens it within
        REOPEN_WINDOW_HOURS (with the bot: Rasa's tracker is resumed) or starts a new one."""
        uow = self._db.unit_of_work()
        async with uow.transaction() as session:
            agent = await _agent(session, agent_id)
            conversation, handoff = await _owned(session, agent, conversation_id)
            _end(session, handoff, "resolved")
            # Rasa answers this conversation again if its customer reopens it (hub/status.py reopen).
            rasa_tracker.stage(session, conversation_id=conversation.id, event="resume")
            await status.resolve(session, conversation=conversation, by="agent")
        await self._delivery.publish_status(conversation=conversation)
        await publish_queue(self._broadcast, {"type": "queue_changed", "conversation_id": conversation_id})
        await self._notices.after_change()
        await uow.flush()
        return conversation

    async def hand_back(self, *, agent_id: int, conversation_id: int) -> Conversation:
        """Give the conversation back to the bot: Rasa resumes and answers the next customer message."""
        uow = self._db.unit_of_work()
        async with uow.transaction() as session:
            agent = await _agent(session, agent_id)
            conversation, handoff = await _owned(session, agent, conversation_id)
            _end(session, handoff, "handed_back")
            rasa_tracker.stage(session, conversation_id=conversation.id, event="resume")
            change = await status.hand_back(
                session,
                conversation=conversation,
                text=notices.handed_back(conversation.language),
                by="agent",
            )
        await self._delivery.deliver(conversation=conversation, messages=change.messages)
        await self._delivery.publish_status(conversation=conversation)
        await uow.flush()  # handoff/listeners.py sends the resume to Rasa
        return conversation
