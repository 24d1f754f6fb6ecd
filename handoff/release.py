"""An agent who leaves gives back the conversations nobody answered yet.

Logging out, going offline (``PUT /me/status``) or being disabled by an admin: every conversation
assigned to the agent that has no agent reply since they got it goes where HANDOFF_RETURN_TO says
(``queue``: back to the queue it came from, same language and skill; ``team:<skill>``: the queue for
that team; ``agent:<email>``: that agent when online, enabled and with room, else the queue). A disabled
agent gives back every conversation, answered or not: they will not answer again.

The customer hears one true message: a new agent's name ("Luis se ha unido…") or that they are back
in the queue, with their place and wait (or when the desk opens). Each return is event
``agent_released`` (``{"handoff_id", "agent_id", "why", "to_agent_id" | "to_team"}``) and bus event
``handoff.transferred``; agents' consoles re-read the queue.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from handoff import after_hours, agents, desk, notices, queue, requests
from handoff.models import Agent
from handoff.queue_notices import QueueNotices
from hub.broadcast import Broadcast
from hub.bus import Database, EventName, UnitOfWork, emit
from hub.crud import events
from hub.crud import messages as messages_crud
from hub.delivery import Delivery
from hub.models import Conversation, Message, utcnow

if TYPE_CHECKING:
    from handoff.settings import HandoffSettings

__all__ = ["RELEASED", "Departures", "Released", "release"]

log = logging.getLogger(__name__)

RELEASED = "agent_released"


@dataclass
class Released:
    """What a release changed: the customers to tell, the conversations whose handoff moved."""

    told: list[tuple[Conversation, Message]] = field(default_factory=list)
    conversation_ids: list[int] = field(default_factory=list)


async def _answered(session: AsyncSession, conversation_id: int, since: Any) -> bool:
    """An agent wrote to the customer since the current agent got the conversation."""
    query = sa.select(Message.id).where(
        Message.conversation_id == conversation_id,
        Message.sender_type == "agent",
        Message.message_type == "outgoing",
    )
    if since is not None:
        query = query.where(Message.created_at >= since)
    return (await session.scalar(query.limit(1))) is not None


async def _fallback(session: AsyncSession, settings: HandoffSettings, leaving: Agent) -> Agent | None:
    kind, _, value = settings.handoff_return_to.partition(":")
    if kind != "agent":
        return None
    found = await agents.get_by_email(session, email=value)
    if found is None or found.id == leaving.id or found.disabled_at is not None or found.status != "online":
        return None
    return found


async def _back_in_queue(
    session: AsyncSession, settings: HandoffSettings, item: queue.QueueItem, left: Agent
) -> Message:
    handoff, conversation = item.handoff, item.conversation
    language = conversation.language
    closed = after_hours.closed_now(settings, language=language, skill=handoff.skill, now=utcnow())
    data: dict[str, Any]
    if closed is not None:
        after_hours.hold_until_opening(handoff, closed)
        rest, data = closed.text, {"closed": True}
    else:
        position = await queue.position(session, handoff=handoff)
        wait = await queue.estimated_wait(
            session,
            position=position,
            language=handoff.language,
            default_handle_seconds=settings.handoff_default_handle_seconds,
        )
        rest = notices.queue_position(language, position=position, wait_seconds=wait)
        data = {"queue_position": position, "estimated_wait_seconds": wait}
    message = await messages_crud.add_activity(
        session,
        conversation=conversation,
        text=notices.back_in_queue(language, agent_name=left.name, rest=rest),
        data=data,
    )
    if "queue_position" in data:
        await events.record(
            session,
            conversation_id=conversation.id,
            kind="queue_position_sent",
            message_id=message.id,
            data={
                "handoff_id": handoff.id,
                "position": data["queue_position"],
                "estimated_wait_seconds": data["estimated_wait_seconds"],
            },
        )
    return message


async def release(
    session: AsyncSession, *, agent: Agent, why: str, settings: HandoffSettings, everything: bool = False
) -> Released:
    """Give back ``agent``'s unanswered conversations (all of them with ``everything``), in the caller's
    transaction. ``why``: logout | offline | disabled. With HANDOFF_AUTO_ASSIGN on, one sent back to the
    queue goes at once to the next online agent with room (like a new handoff)."""
    done = Released()
    fallback = await _fallback(session, settings, agent)
    kind, _, team = settings.handoff_return_to.partition(":")
    for item in await queue.assigned_to(session, agent_id=agent.id):
        handoff, conversation = item.handoff, item.conversation
        if not everything and await _answered(session, conversation.id, handoff.claimed_at):
            continue
        to: dict[str, Any]
        joins: Agent | None = None
        by = why
        if fallback is not None and await queue.load(session, agent_id=fallback.id) < fallback.max_concurrent:
            requests.assign(handoff, agent_id=fallback.id)
            fallback.last_assigned_at = handoff.claimed_at
            to, joins = {"to_agent_id": fallback.id}, fallback
        else:
            requests.requeue(handoff, skill=team if kind == "team" else handoff.skill)
            to = {"to_team": handoff.skill}
        await events.record(
            session,
            conversation_id=conversation.id,
            kind=RELEASED,
            data={"handoff_id": handoff.id, "agent_id": agent.id, "why": why, **to},
        )
        emit(
            session,
            EventName.HANDOFF_TRANSFERRED,
            conversation_id=conversation.id,
            handoff_id=handoff.id,
            from_agent_id=agent.id,
            why=why,
            **to,
        )
        if joins is None and settings.handoff_auto_assign:
            joins = await queue.auto_assign(session, handoff=handoff)
            if joins is not None:
                await session.refresh(handoff)
                by = "auto_assign"
        if joins is not None:
            told = await desk.joined(session, conversation, handoff, joins, by=by)
        else:
            told = await _back_in_queue(session, settings, item, agent)
        done.told.append((conversation, told))
        done.conversation_ids.append(conversation.id)
    return done


class Departures:
    """Logging out and going offline, with the release of what the agent had not answered."""

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

    async def leave(self, *, agent_id: int, why: str, token: str | None = None) -> Agent | None:
        """Offline (and the login ``token`` ended, for a logout); the unanswered conversations go back."""
        uow = self._db.unit_of_work()
        async with uow.transaction() as session:
            if token is not None:
                await agents.logout(session, token=token)
            agent = await agents.get(session, agent_id=agent_id)
            if agent is None:
                return None
            await agents.set_status(session, agent=agent, status="offline")
            released = await release(session, agent=agent, why=why, settings=self._settings)
        await self.after(uow, released)
        return agent

    async def after(self, uow: UnitOfWork, released: Released) -> None:
        """After the commit: the customers are told, the consoles re-read the queue, the bus hears it."""
        for conversation, message in released.told:
            await self._delivery.deliver(conversation=conversation, messages=[message])
        for conversation_id in released.conversation_ids:
            await desk.publish_queue(
                self._broadcast, {"type": "queue_changed", "conversation_id": conversation_id}
            )
        if released.conversation_ids:
            log.info("an agent's unanswered conversations went back", extra={"count": len(released.told)})
            await self._notices.after_change()
        await uow.flush()
