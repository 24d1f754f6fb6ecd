"""The only place a conversation's status changes; every change writes its events.

pending (bot owns it) -> open (humans own it) -> resolved. Functions stage changes in the
caller's transaction and return what must be delivered after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.crud import events, handoffs
from hub.crud import messages as messages_crud
from hub.models import Conversation, Handoff, Message, utcnow

__all__ = [
    "HANDOFF_REASONS",
    "STATUSES",
    "InvalidTransition",
    "StatusChange",
    "hand_back",
    "hand_off",
    "reopen",
    "resolve",
]

STATUSES = ("pending", "open", "resolved")
HANDOFF_REASONS = (
    "explicit_request",
    "nlu_fallback",
    "kb_no_answer",
    "complaint",
    "frustration",
    "bot_unavailable",
)

_ALLOWED = {
    ("pending", "open"),
    ("pending", "resolved"),
    ("open", "resolved"),
    ("open", "pending"),
    ("resolved", "open"),
}

_HANDOFF_TEXT = {
    "es": "Te paso con una persona del equipo; en breve te atiende.",
    "en": "I'm passing you to a person from the team; they'll be with you shortly.",
}

#: The handoff notice for reasons that need their own words (default: _HANDOFF_TEXT).
_HANDOFF_TEXT_BY_REASON = {
    "bot_unavailable": {
        "es": "Nuestro asistente no puede responder ahora mismo, así que te paso con una persona del equipo.",
        "en": "Our assistant cannot answer right now, so I'm passing you to a person from the team.",
    },
}

_HAND_BACK_TEXT = {
    "es": "Te atiende de nuevo el asistente virtual. Si necesitas a una persona, pídelo cuando quieras.",
    "en": "The virtual assistant is with you again. If you need a person, just ask.",
}


class InvalidTransition(Exception):
    """A status change that the conversation's current status does not allow."""


@dataclass
class StatusChange:
    """What a change produced: messages to deliver after commit, the handoff row if any."""

    conversation: Conversation
    messages: list[Message] = field(default_factory=list)
    handoff: Handoff | None = None


async def _set(session: AsyncSession, conversation: Conversation, to: str, *, cause: str) -> None:
    before = conversation.status
    if (before, to) not in _ALLOWED:
        raise InvalidTransition(f"conversation {conversation.id} cannot go from {before} to {to}")
    now = utcnow()
    conversation.status = to
    conversation.updated_at = now
    conversation.resolved_at = now if to == "resolved" else None
    await events.record(
        session,
        conversation_id=conversation.id,
        kind="status_changed",
        data={"from": before, "to": to, "cause": cause},
    )


async def hand_off(
    session: AsyncSession,
    *,
    conversation: Conversation,
    reason: str,
    detail: dict[str, Any] | None = None,
    message_id: int | None = None,
    priority: int = 1,
    skill: str | None = None,
) -> StatusChange:
    """Give a pending conversation to humans: status open, event bot_handoff, handoffs row.

    The row waits in the agents' queue (handoff/queue.py) with its priority (2 high, 1 normal,
    0 low), the conversation's language and an optional skill. On a conversation that humans
    already own, only the request is recorded (state "noted").
    """
    change = StatusChange(conversation)
    change.handoff = await handoffs.create(
        session,
        conversation_id=conversation.id,
        reason=reason,
        detail=detail,
        message_id=message_id,
        priority=priority,
        language=conversation.language,
        skill=skill,
        state="waiting" if conversation.status == "pending" else "noted",
    )
    await events.record(
        session,
        conversation_id=conversation.id,
        kind="bot_handoff",
        message_id=message_id,
        data={"reason": reason, "detail": detail, "handoff_id": change.handoff.id, "priority": priority},
    )
    if conversation.status != "pending":
        return change
    await _set(session, conversation, "open", cause="bot_handoff")
    texts = _HANDOFF_TEXT_BY_REASON.get(reason, _HANDOFF_TEXT)
    text = texts.get(conversation.language, texts["es"])
    change.messages.append(
        await messages_crud.add_activity(
            session, conversation=conversation, text=text, data={"handoff_reason": reason}
        )
    )
    return change


async def resolve(session: AsyncSession, *, conversation: Conversation, by: str = "system") -> StatusChange:
    """Close the conversation; the contact's next message starts a new one."""
    await _set(session, conversation, "resolved", cause=by)
    await events.record(session, conversation_id=conversation.id, kind="resolved", data={"by": by})
    return StatusChange(conversation)


async def hand_back(session: AsyncSession, *, conversation: Conversation, by: str = "agent") -> StatusChange:
    """Give an open conversation back to the bot (pending): the next customer message goes to Rasa."""
    await _set(session, conversation, "pending", cause=by)
    await events.record(session, conversation_id=conversation.id, kind="handed_back", data={"by": by})
    text = _HAND_BACK_TEXT.get(conversation.language, _HAND_BACK_TEXT["es"])
    change = StatusChange(conversation)
    change.messages.append(
        await messages_crud.add_activity(
            session, conversation=conversation, text=text, data={"handed_back": by}
        )
    )
    return change


async def reopen(session: AsyncSession, *, conversation: Conversation, by: str = "agent") -> StatusChange:
    """Give a resolved conversation back to humans."""
    await _set(session, conversation, "open", cause=by)
    await events.record(session, conversation_id=conversation.id, kind="reopened", data={"by": by})
    return StatusChange(conversation)
