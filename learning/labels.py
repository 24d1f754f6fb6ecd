"""Agents' labels on a customer's turn, from the console's context panel: "FAQ X answers this", "no FAQ
covers this", "not a question". One label per turn: labelling again replaces it (who and when too), and
it can be taken back."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from handoff import permissions
from handoff.models import Agent
from hub.crud import conversations
from hub.errors import ConversationNotAllowed
from hub.models import Event, Message, utcnow
from learning.errors import FaqRequired, FeedbackAnswer, MessageNotFound, NotACustomerMessage, UnknownFaq
from learning.faq_search import FaqCatalog
from learning.models import AGENT_KINDS, Kind, Signal, Strength
from learning.record import signal

__all__ = ["customer_turn", "feedback_of", "label", "labels_of", "unlabel"]


async def customer_turn(session: AsyncSession, *, agent: Agent, message_id: int) -> Message:
    """The customer's message if the agent may read its conversation (404 / 422 / 403 otherwise)."""
    message = await session.get(Message, message_id)
    if message is None:
        raise MessageNotFound(message_id)
    if message.message_type != "incoming":
        raise NotACustomerMessage(message_id)
    if not await permissions.may_read(session, agent=agent, conversation_id=message.conversation_id):
        raise ConversationNotAllowed(message.conversation_id)
    return message


async def feedback_of(session: AsyncSession, *, conversation_id: int) -> dict[int, tuple[int, bool]]:
    """The customer's answers to "¿Te ha servido?" in a conversation: answer message id -> (the question's
    message id, helped). An answer ("👎 No", a typed "no") is not a turn to label; the question it was about
    is, when it did not help (the console offers its label box although the bot answered it)."""
    query = sa.select(Event.message_id, Event.data).where(
        Event.conversation_id == conversation_id, Event.kind == "feedback_answered"
    )
    found: dict[int, tuple[int, bool]] = {}
    for message_id, data in (await session.execute(query)).all():
        if message_id is not None and isinstance(data, dict) and data.get("query_message_id"):
            found[int(message_id)] = (int(data["query_message_id"]), bool(data.get("helpful")))
    return found


async def _current(session: AsyncSession, message_id: int) -> Signal | None:
    query = sa.select(Signal).where(Signal.message_id == message_id, Signal.kind.in_(AGENT_KINDS))
    return (await session.execute(query.order_by(Signal.id.desc()).limit(1))).scalars().first()


async def label(
    session: AsyncSession,
    *,
    agent: Agent,
    message_id: int,
    kind: Kind,
    entry_id: str | None,
    catalog: FaqCatalog,
) -> Signal:
    """Store (or replace) the agent's label on the customer's turn."""
    if kind not in AGENT_KINDS:
        raise ValueError(kind)
    message = await customer_turn(session, agent=agent, message_id=message_id)
    answered = (await feedback_of(session, conversation_id=message.conversation_id)).get(message.id)
    if answered is not None:
        raise FeedbackAnswer(message.id, answered[0])
    expected = None
    if kind == Kind.FAQ:
        if not entry_id:
            raise FaqRequired()
        if not catalog.exists(entry_id):
            raise UnknownFaq(entry_id)
        expected = entry_id
    conversation = await conversations.get(session, conversation_id=message.conversation_id)
    assert conversation is not None
    row = await _current(session, message.id)
    fresh = signal(
        kind=kind, strength=Strength.CONFIRMED, conversation=conversation, query=message, expected=expected,
        agent_id=agent.id,
    )
    if row is None:
        session.add(fresh)
        await session.flush()
        return fresh
    row.kind, row.expected, row.agent_id, row.created_at = kind, expected, agent.id, utcnow()
    return row


async def unlabel(session: AsyncSession, *, agent: Agent, message_id: int) -> bool:
    """Take the turn's label back; whether there was one."""
    await customer_turn(session, agent=agent, message_id=message_id)
    row = await _current(session, message_id)
    if row is None:
        return False
    await session.delete(row)
    return True


async def labels_of(session: AsyncSession, *, conversation_id: int) -> list[Signal]:
    """The agents' labels on a conversation's customer turns, oldest first."""
    query = sa.select(Signal).where(Signal.conversation_id == conversation_id, Signal.kind.in_(AGENT_KINDS))
    return list((await session.execute(query.order_by(Signal.id))).scalars())
