"""The only place a conversation's status changes; every change writes its events.

pending (bot owns it) -> open (humans own it) -> resolved, by :data:`TRANSITIONS`; a resolved
conversation is reopened by an agent (-> open) or by its customer writing again within
REOPEN_WINDOW_HOURS (-> pending: the bot answers, and hands off again if it must; hub/turns/drain.py).
Functions stage changes in the caller's transaction (the stored ``status_changed`` event and the bus
event of the transition, hub/bus.py) and return what must be delivered after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.bus import EventName, emit
from hub.crud import events
from hub.crud import messages as messages_crud
from hub.models import Conversation, Message, utcnow

__all__ = [
    "STATUSES",
    "TRANSITIONS",
    "ConversationStatus",
    "InvalidTransition",
    "StatusChange",
    "hand_back",
    "is_bot_owned",
    "is_people_owned",
    "is_resolved",
    "open_for_people",
    "reopen",
    "resolve",
]


class ConversationStatus(StrEnum):
    PENDING = "pending"  # the bot owns it
    OPEN = "open"  # people own it
    RESOLVED = "resolved"


PENDING, OPEN, RESOLVED = ConversationStatus.PENDING, ConversationStatus.OPEN, ConversationStatus.RESOLVED
STATUSES = tuple(ConversationStatus)

#: Every allowed change and the event published once it committed.
TRANSITIONS: dict[tuple[ConversationStatus, ConversationStatus], EventName] = {
    (PENDING, OPEN): EventName.CONVERSATION_OPENED,
    (PENDING, RESOLVED): EventName.CONVERSATION_RESOLVED,
    (OPEN, RESOLVED): EventName.CONVERSATION_RESOLVED,
    (OPEN, PENDING): EventName.CONVERSATION_HANDED_BACK,
    (RESOLVED, OPEN): EventName.CONVERSATION_REOPENED,
    (RESOLVED, PENDING): EventName.CONVERSATION_REOPENED,
}

class InvalidTransition(Exception):
    """A status change that the conversation's current status does not allow."""


@dataclass
class StatusChange:
    """What a change produced: messages to deliver after the commit."""

    conversation: Conversation
    messages: list[Message] = field(default_factory=list)


def is_bot_owned(conversation: Conversation) -> bool:
    return conversation.status == PENDING


def is_people_owned(conversation: Conversation) -> bool:
    return conversation.status == OPEN


def is_resolved(conversation: Conversation) -> bool:
    return conversation.status == RESOLVED


async def _set(
    session: AsyncSession, conversation: Conversation, to: ConversationStatus, *, cause: str, **data: Any
) -> None:
    before = conversation.status
    event = TRANSITIONS.get((ConversationStatus(before), to))
    if event is None:
        raise InvalidTransition(f"conversation {conversation.id} cannot go from {before} to {to}")
    now = utcnow()
    conversation.status = to
    conversation.updated_at = now
    conversation.resolved_at = now if to == RESOLVED else None
    await events.record(
        session,
        conversation_id=conversation.id,
        kind="status_changed",
        data={"from": str(before), "to": str(to), "cause": cause},
    )
    emit(session, event, conversation_id=conversation.id, cause=cause, **data)


async def open_for_people(
    session: AsyncSession, *, conversation: Conversation, reason: str, text: str
) -> StatusChange:
    """Give a pending conversation to people (status open) and tell the customer so (``text``).

    The handoff request itself (queue row, priority, event ``bot_handoff``, the notice's words) is
    the handoff package's; it calls this once the request is recorded.
    """
    await _set(session, conversation, OPEN, cause="bot_handoff")
    change = StatusChange(conversation)
    change.messages.append(
        await messages_crud.add_activity(
            session, conversation=conversation, text=text, data={"handoff_reason": reason}
        )
    )
    return change


async def resolve(
    session: AsyncSession, *, conversation: Conversation, by: str = "system", why: str | None = None
) -> StatusChange:
    """Close the conversation. ``by``: who (agent, bot, abandoned, ...); ``why``: how (the bot's
    ``goodbye`` or ``silence``); both stored in the ``resolved`` event and published. The contact's next
    message within REOPEN_WINDOW_HOURS reopens it (:func:`reopen`); a later one starts a new one."""
    await _set(session, conversation, RESOLVED, cause=by, why=why)
    await events.record(
        session, conversation_id=conversation.id, kind="resolved", data={"by": by, "why": why}
    )
    return StatusChange(conversation)


async def hand_back(
    session: AsyncSession, *, conversation: Conversation, text: str, by: str = "agent"
) -> StatusChange:
    """Give an open conversation back to the bot (pending), telling the customer so (``text``):
    the next customer message goes to Rasa."""
    await _set(session, conversation, PENDING, cause=by)
    await events.record(session, conversation_id=conversation.id, kind="handed_back", data={"by": by})
    change = StatusChange(conversation)
    change.messages.append(
        await messages_crud.add_activity(
            session, conversation=conversation, text=text, data={"handed_back": by}
        )
    )
    return change


async def reopen(session: AsyncSession, *, conversation: Conversation, by: str = "agent") -> StatusChange:
    """Give a resolved conversation back: to humans (``by="agent"``, open), or to the bot when its
    customer wrote again (``by="customer"``, pending: the bot answers first, as in a new conversation)."""
    to = PENDING if by == "customer" else OPEN
    await _set(session, conversation, to, cause=by)
    await events.record(session, conversation_id=conversation.id, kind="reopened", data={"by": by})
    return StatusChange(conversation)
