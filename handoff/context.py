"""Everything an agent needs to take over: transcript, the bot's understanding per turn, summary."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff import contact_links, customer_facts, queue, sentiment, summary
from handoff.models import Handoff
from handoff.rasa_tracker import RasaTracker
from hub.crud import conversations
from hub.errors import ConversationNotFound
from hub.models import Contact, ContactIdentity, Conversation, Event, Message
from hub.schemas import ConversationOut, HandoffOut, MessageOut

__all__ = ["build", "rasa_slots", "shown_slots"]

log = logging.getLogger(__name__)

#: The bot's own bookkeeping slots: ids, form state and the FAQ ids a clarify offered (the panel shows
#: the candidates themselves), nothing the customer said.
_RASA_INTERNAL_SLOTS = frozenset({"session_started_metadata", "requested_slot", "faq_candidates"})


def shown_slots(slots: Any) -> dict[str, Any]:
    """The tracker's slots worth an agent's eye: set, and not Rasa's internal ones."""
    if not isinstance(slots, dict):
        return {}
    return {k: v for k, v in slots.items() if v is not None and k not in _RASA_INTERNAL_SLOTS}


def _turns(messages: list[Message]) -> list[dict[str, Any]]:
    """Per customer turn: intent + confidence + ranking, entities, KB candidates, what the bot said."""
    answers: dict[int, list[str]] = {}
    for m in messages:
        if m.message_type == "outgoing" and m.sender_type == "bot" and m.in_reply_to_id is not None:
            answers.setdefault(m.in_reply_to_id, []).append(m.text)
    turns = []
    for m in messages:
        if m.message_type != "incoming":
            continue
        context = m.context or {}
        nlu = context.get("nlu") or {}
        kb = context.get("kb") or {}
        turns.append(
            {
                "message_id": m.id,
                "text": m.text,
                "created_at": m.created_at.isoformat(),
                "intent": nlu.get("intent"),
                "confidence": nlu.get("confidence"),
                "intent_ranking": nlu.get("intent_ranking") or [],
                "entities": nlu.get("entities") or [],
                "kb": {
                    "decision": kb.get("decision"),
                    "reason": kb.get("reason"),
                    "candidates": kb.get("candidates") or [],
                }
                if kb
                else None,
                "bot_replies": answers.get(m.id, []),
                "bot_state": m.bot_state,
            }
        )
    return turns


async def rasa_slots(tracker: RasaTracker, conversation_id: int) -> dict[str, Any]:
    """The Rasa tracker's slots for the conversation ({} when Rasa cannot tell)."""
    slots = await tracker.slots(conversation_id=conversation_id)
    return shown_slots(slots) if slots is not None else {}


async def _transcript(session: AsyncSession, contact_id: int) -> list[dict[str, Any]]:
    """Every conversation of the contact on any channel, oldest first, with messages and notes."""
    convs = list(
        (
            await session.execute(
                sa.select(Conversation).where(Conversation.contact_id == contact_id).order_by(Conversation.id)
            )
        ).scalars()
    )
    out = []
    for conv in convs:
        messages = list(
            (
                await session.execute(
                    sa.select(Message).where(Message.conversation_id == conv.id).order_by(Message.id)
                )
            ).scalars()
        )
        notes = (
            await session.execute(
                sa.select(Event)
                .where(Event.conversation_id == conv.id, Event.kind == "note_added")
                .order_by(Event.id)
            )
        ).scalars()
        out.append(
            {
                "conversation_id": conv.id,
                "channel": conv.channel,
                "status": conv.status,
                "created_at": conv.created_at.isoformat(),
                "messages": [MessageOut.of(m).model_dump(mode="json") for m in messages],
                "notes": [
                    {**(n.data or {}), "id": n.id, "created_at": n.created_at.isoformat(), "private": True}
                    for n in notes
                ],
            }
        )
    return out


async def build(
    *, sessions: async_sessionmaker[AsyncSession], tracker: RasaTracker, conversation_id: int
) -> dict[str, Any]:
    """The whole context of a conversation for the agent taking it over."""
    async with sessions() as session:
        conversation = await conversations.get(session, conversation_id=conversation_id)
        if conversation is None:
            raise ConversationNotFound(conversation_id)
        contact = await session.get(Contact, conversation.contact_id)
        identities = (
            await session.execute(
                sa.select(ContactIdentity).where(ContactIdentity.contact_id == conversation.contact_id)
            )
        ).scalars()
        handoffs = list(
            (
                await session.execute(
                    sa.select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id)
                )
            ).scalars()
        )
        live = await queue.current(session, conversation_id=conversation_id)
        latest = live or (handoffs[-1] if handoffs else None)
        transcript = await _transcript(session, conversation.contact_id)
        suggested = await contact_links.shown(session, contact_id=conversation.contact_id)
        messages = list(
            (
                await session.execute(
                    sa.select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
                )
            ).scalars()
        )
    customer_texts = [m.text for m in messages if m.message_type == "incoming"]
    return {
        "conversation": ConversationOut.of(conversation, latest).model_dump(mode="json"),
        "contact": {
            "id": conversation.contact_id,
            "name": contact.name if contact else None,
            # what to call them: the name, a WhatsApp number, "Visitante web #7" (handoff/customer_facts.py)
            "display_name": customer_facts.display_name(
                contact, contact_id=conversation.contact_id, channel=conversation.channel
            ),
            "email": contact.email if contact else None,
            "phone": contact.phone if contact else None,
            "email_verified": bool(contact and contact.email_verified),
            "phone_verified": bool(contact and contact.phone_verified),
            "identities": [
                {"channel": i.channel, "source_id": i.source_id, "verified": i.verified} for i in identities
            ],
        },
        # An email/phone given here that another contact holds: for the agent to confirm or dismiss.
        "suggested_links": suggested,
        "channel": conversation.channel,
        "language": conversation.language,
        "handoff": {
            **HandoffOut.of(latest).model_dump(mode="json"),
            "priority": latest.priority,
            "state": latest.state,
            "agent_id": latest.agent_id,
            "skill": latest.skill,
        }
        if latest
        else None,
        "handoff_history": [HandoffOut.of(h).model_dump(mode="json") for h in handoffs],
        "summary": summary.summarize(customer_texts),
        "sentiment": sentiment.score(customer_texts),
        "slots": customer_facts.collected(messages, await rasa_slots(tracker, conversation_id)),
        "turns": _turns(messages),
        "transcript": transcript,
    }
