"""What happens around a handoff: deciding it on a turn, queueing, and every agent action.

The router calls :func:`decide` + :func:`hand_off` inside its answer transaction, then
:func:`after_handoff` (pause Rasa, auto-assign) and :func:`review_turn` (policy again once
Rasa's NLU of the turn is known). The agent API calls :func:`claim`, :func:`reply`,
:func:`add_note`, :func:`transfer`, :func:`resolve` and :func:`hand_back`. Each commits its
state change first and delivers (``hub.outbox``) after, like the rest of the hub.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handoff import after_hours, hours, notices, queue, queue_notices, rasa_tracker, turns
from handoff import agents as agents_crud
from handoff import policy as policy_module
from handoff.errors import (
    AgentNotFound,
    AlreadyClaimed,
    NothingToClaim,
    NotYourConversation,
    OverCapacity,
    WrongConversationState,
)
from handoff.models import Agent
from handoff.policy import Decision, Policy
from hub import outbox, status
from hub.crud import conversations, events
from hub.crud import messages as messages_crud
from hub.errors import ConversationNotFound
from hub.models import Conversation, Handoff, Message, utcnow
from hub.services import Services
from hub.settings import Settings

__all__ = [
    "QUEUE_TOPIC",
    "abandon_stale",
    "add_note",
    "after_handoff",
    "claim",
    "customer_wrote",
    "decide",
    "hand_back",
    "hand_off",
    "policy_of",
    "reply",
    "resolve",
    "review_turn",
    "transfer",
]

log = logging.getLogger(__name__)

#: Broadcast topic agents' consoles follow: {"type": "queue_changed"}, {"type": "note", ...}.
QUEUE_TOPIC = "agents:queue"


def policy_of(settings: Settings) -> Policy:
    return policy_module.load(settings.handoff_policy_path)


async def decide(
    session: AsyncSession,
    settings: Settings,
    *,
    conversation: Conversation,
    message: Message,
    bot_handoff: dict[str, Any] | None,
) -> Decision | None:
    """The policy's decision on this customer turn (None: the bot keeps the conversation)."""
    if conversation.status != "pending" and bot_handoff is None:
        return None
    turn = await turns.build(session, conversation=conversation, message=message, bot_handoff=bot_handoff)
    try:
        return policy_of(settings).evaluate(turn)
    except Exception:
        # A broken policy file must not silence the bot; the bot's own request still counts.
        log.exception("handoff policy failed", extra={"conversation_id": conversation.id})
        if bot_handoff is None:
            return None
        detail = bot_handoff.get("detail")
        return Decision(
            str(bot_handoff.get("reason") or "explicit_request"),
            detail=dict(detail) if isinstance(detail, dict) else {},
        )


async def hand_off(
    session: AsyncSession,
    settings: Settings,
    *,
    conversation: Conversation,
    decision: Decision,
    message_id: int | None,
    announced: bool = False,
) -> status.StatusChange:
    """Hand off (hub.status) and tell the customer their place in the queue in the same message.

    ``announced``: the bot's own reply of this turn already said a person is coming, so the notice
    gives only the place and the wait (the customer is not told "te paso con una persona" twice).

    While the desk is closed (handoff/hours.py) the customer is told when it opens instead, and the
    decision's detail records it (handoff/after_hours.py); the handoff waits in the queue all the same.
    """
    closed = None
    if conversation.status == "pending":
        closed = after_hours.closed_now(
            settings, language=conversation.language, skill=decision.skill, now=hours.clock()
        )
    detail = {**decision.detail, **closed.detail} if closed else decision.detail
    change = await status.hand_off(
        session,
        conversation=conversation,
        reason=decision.reason,
        detail=detail or None,
        message_id=message_id,
        priority=decision.priority,
        skill=decision.skill,
    )
    if change.handoff is None or change.handoff.state != "waiting" or not change.messages:
        return change
    if closed is not None:
        notice = change.messages[-1]
        notice.text = closed.text
        notice.context = {**(notice.context or {}), **closed.detail}
        return change
    place = await queue.position(session, handoff=change.handoff)
    wait = await queue.estimated_wait(
        session,
        position=place,
        language=change.handoff.language,
        default_handle_seconds=settings.handoff_default_handle_seconds,
    )
    notice = change.messages[-1]
    where = notices.queue_position(conversation.language, position=place, wait_seconds=wait)
    notice.text = where if announced else f"{notice.text} {where}"
    notice.context = {**(notice.context or {}), "queue_position": place, "estimated_wait_seconds": wait}
    await events.record(
        session,
        conversation_id=conversation.id,
        kind="queue_position_sent",
        data={"handoff_id": change.handoff.id, "position": place, "estimated_wait_seconds": wait},
    )
    return change


async def _publish(services: Services, frame: dict[str, Any]) -> None:
    try:
        await services.broadcast.publish(QUEUE_TOPIC, frame)
    except Exception:
        log.exception("could not publish to the agents' topic")


async def after_handoff(services: Services, *, conversation: Conversation) -> None:
    """After a committed handoff: pause Rasa, tell consoles, auto-assign when configured."""
    await rasa_tracker.pause(services, conversation_id=conversation.id)
    await _publish(services, {"type": "queue_changed", "conversation_id": conversation.id})
    if not services.settings.handoff_auto_assign:
        return
    async with services.sessions.begin() as session:
        handoff = await queue.current(session, conversation_id=conversation.id)
        if handoff is None or handoff.state != "waiting":
            return
        agent = await queue.auto_assign(session, handoff=handoff)
        if agent is None:
            return
        current = await conversations.get(session, conversation_id=conversation.id)
        assert current is not None
        joined = await _joined(session, current, handoff, agent, by="auto_assign")
    await outbox.deliver(services, conversation=current, messages=[joined])


async def review_turn(services: Services, *, conversation_id: int, message_id: int) -> None:
    """Once Rasa's NLU of the turn is stored: hand off if the policy now says so (nlu_fallback x2)."""
    async with services.sessions.begin() as session:
        conversation = await conversations.get(session, conversation_id=conversation_id)
        message = await messages_crud.get(session, message_id=message_id)
        if conversation is None or message is None or conversation.status != "pending":
            return
        decision = await decide(
            session, services.settings, conversation=conversation, message=message, bot_handoff=None
        )
        if decision is None:
            return
        change = await hand_off(
            session, services.settings, conversation=conversation, decision=decision, message_id=message_id
        )
    await outbox.deliver(services, conversation=conversation, messages=change.messages)
    await outbox.publish_status(services, conversation=conversation)
    await after_handoff(services, conversation=conversation)


async def _joined(
    session: AsyncSession, conversation: Conversation, handoff: Handoff, agent: Agent, *, by: str
) -> Message:
    await events.record(
        session,
        conversation_id=conversation.id,
        kind="agent_assigned",
        data={"agent_id": agent.id, "handoff_id": handoff.id, "by": by},
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


async def claim(services: Services, *, agent_id: int, conversation_id: int | None = None) -> Handoff:
    """Take the next conversation of the queue (or the given one); atomic against other agents."""
    async with services.sessions.begin() as session:
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
            if found is None or not await queue.claim(session, agent=agent, handoff_id=found.id):
                raise AlreadyClaimed(conversation_id)
            await session.refresh(found)
            handoff = found
        conversation = await conversations.get(session, conversation_id=handoff.conversation_id)
        assert conversation is not None
        joined = await _joined(session, conversation, handoff, agent, by="claim")
    await outbox.deliver(services, conversation=conversation, messages=[joined])
    await _publish(services, {"type": "queue_changed", "conversation_id": conversation.id})
    await queue_notices.after_change(services)
    return handoff


async def assigned_to(
    session: AsyncSession, *, agent: Agent, conversation_id: int
) -> tuple[Conversation, Handoff]:
    """The conversation and its handoff, if it is assigned to ``agent``; else 404/403."""
    conversation = await conversations.get(session, conversation_id=conversation_id)
    if conversation is None:
        raise ConversationNotFound(conversation_id)
    handoff = await queue.current(session, conversation_id=conversation_id)
    if handoff is None or handoff.state != "assigned" or handoff.agent_id != agent.id:
        raise NotYourConversation(conversation_id)
    return conversation, handoff


async def _owned(session: AsyncSession, agent: Agent, conversation_id: int) -> tuple[Conversation, Handoff]:
    conversation, handoff = await assigned_to(session, agent=agent, conversation_id=conversation_id)
    if conversation.status != "open":
        raise WrongConversationState(conversation_id, conversation.status, "open")
    return conversation, handoff


async def reply(services: Services, *, agent_id: int, conversation_id: int, text: str) -> Message:
    """The agent's answer, delivered to the customer's channel."""
    async with services.sessions.begin() as session:
        agent = await _agent(session, agent_id)
        conversation, _handoff = await _owned(session, agent, conversation_id)
        message = await outbox.add_reply(
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
    await outbox.deliver(services, conversation=conversation, messages=[message])
    return message


async def add_note(services: Services, *, agent_id: int, conversation_id: int, text: str) -> dict[str, Any]:
    """A private note for agents (an event, never a message: no channel or customer sees it)."""
    async with services.sessions.begin() as session:
        agent = await _agent(session, agent_id)
        if await conversations.get(session, conversation_id=conversation_id) is None:
            raise ConversationNotFound(conversation_id)
        event = await events.record(
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
    await _publish(services, {"type": "note", "note": note})
    return note


async def transfer(
    services: Services,
    *,
    agent_id: int,
    conversation_id: int,
    to_agent_id: int | None = None,
    team: str | None = None,
    note: str | None = None,
) -> Handoff:
    """Pass the conversation to another agent (who gets it at once) or back to the queue for a team."""
    deliver: list[Message] = []
    async with services.sessions.begin() as session:
        agent = await _agent(session, agent_id)
        conversation, handoff = await _owned(session, agent, conversation_id)
        if note:
            await events.record(
                session,
                conversation_id=conversation_id,
                kind="note_added",
                data={"agent_id": agent.id, "agent_name": agent.name, "text": note, "transfer": True},
            )
        if to_agent_id is not None:
            target = await _agent(session, to_agent_id)
            handoff.agent_id = target.id
            handoff.claimed_at = utcnow()
            target.last_assigned_at = handoff.claimed_at
            await events.record(
                session,
                conversation_id=conversation_id,
                kind="agent_transferred",
                data={"from_agent_id": agent.id, "to_agent_id": target.id, "handoff_id": handoff.id},
            )
            deliver.append(await _joined(session, conversation, handoff, target, by="transfer"))
        else:
            handoff.agent_id = None
            handoff.claimed_at = None
            handoff.state = "waiting"
            handoff.skill = team
            await events.record(
                session,
                conversation_id=conversation_id,
                kind="agent_transferred",
                data={"from_agent_id": agent.id, "to_team": team, "handoff_id": handoff.id},
            )
    await outbox.deliver(services, conversation=conversation, messages=deliver)
    await _publish(services, {"type": "queue_changed", "conversation_id": conversation_id})
    await queue_notices.after_change(services)
    return handoff


def _end(handoff: Handoff, reason: str) -> None:
    handoff.state = "abandoned" if reason == "abandoned" else "ended"
    handoff.ended_at = utcnow()
    handoff.ended_reason = reason


async def resolve(services: Services, *, agent_id: int, conversation_id: int) -> Conversation:
    """The agent closes the conversation; the customer's next message starts a new one (with the bot)."""
    async with services.sessions.begin() as session:
        agent = await _agent(session, agent_id)
        conversation, handoff = await _owned(session, agent, conversation_id)
        _end(handoff, "resolved")
        await status.resolve(session, conversation=conversation, by="agent")
    await outbox.publish_status(services, conversation=conversation)
    await _publish(services, {"type": "queue_changed", "conversation_id": conversation_id})
    await queue_notices.after_change(services)
    return conversation


async def hand_back(services: Services, *, agent_id: int, conversation_id: int) -> Conversation:
    """Give the conversation back to the bot: Rasa resumes and answers the next customer message."""
    async with services.sessions.begin() as session:
        agent = await _agent(session, agent_id)
        conversation, handoff = await _owned(session, agent, conversation_id)
        _end(handoff, "handed_back")
        change = await status.hand_back(session, conversation=conversation, by="agent")
    await rasa_tracker.resume(services, conversation_id=conversation_id)
    await outbox.deliver(services, conversation=conversation, messages=change.messages)
    await outbox.publish_status(services, conversation=conversation)
    return conversation


async def abandon_stale(services: Services, *, now: Any = None) -> int:
    """Mark handoffs whose customer went silent while waiting as abandoned (conversation resolved).

    A handoff queued while the desk was closed waits at least until the next opening + the window.
    """
    now = now or hours.clock()
    after = timedelta(seconds=services.settings.handoff_abandon_after)
    changed: list[Conversation] = []
    async with services.sessions.begin() as session:
        for item in await queue.abandon_candidates(session, now=now, after=after):
            if after_hours.held_for_opening(item.handoff, now=now, after=after):
                continue
            _end(item.handoff, "abandoned")
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
        await outbox.publish_status(services, conversation=conversation)
    if changed:
        await _publish(services, {"type": "queue_changed"})
        log.info("handoffs abandoned", extra={"count": len(changed)})
        await queue_notices.after_change(services)
    return len(changed)


async def customer_wrote(services: Services, *, conversation_id: int, message_id: int) -> None:
    """A customer message while humans own the conversation (stored for the agent by the router):
    an email left while queued outside business hours is saved on the contact and acknowledged."""
    await after_hours.capture_email(services, conversation_id=conversation_id, message_id=message_id)
