"""What a customer hears when they send something the bot cannot read (a photo, a voice note...).

- A photo, audio, video or document, with or without a caption, while the bot has the conversation:
  only a person can look at it, so the conversation goes to people (handoff reason ``media``, through
  the turn policy like any handoff: one message, true at that moment, with the place in the queue, the
  wait or the opening time: hub/seams.py). The customer is told a person will look at it because one
  will. The caption is the customer's words (stored as the message's text after the file's label, in the
  handoff's ``detail.caption``); the bot does not answer it: «así ha llegado la caja, el jarrón roto»
  answered by the bot got the damaged-item answer asking for the photo just sent, and nobody saw it.
- A sticker or a location while the bot has the conversation: one short text asking them to write
  (:data:`MEDIA_REPLY`), promising nothing. A reaction gets nothing: a thumbs-up is not a question.
- While people have the conversation: nothing from the bot; the agent sees it in the transcript.
- A resolved conversation the customer comes back to (within REOPEN_WINDOW_HOURS) with a photo or a
  voice note is reopened and handed to people the same way: "here is the broken box" after an agent closed
  the case must reach a person.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub import status
from hub.bus import Database
from hub.crud import conversations
from hub.crud import messages as messages_crud
from hub.delivery import Delivery
from hub.models import Conversation
from hub.seams import Decision, TurnPolicy

__all__ = ["MEDIA", "MEDIA_REPLY", "PERSON_TYPES", "hand_to_people", "needs_a_person", "polite_reply"]

#: Handoff reason of a file only a person can look at.
MEDIA = "media"

#: Media types a person looks at when the customer sent no words with them.
PERSON_TYPES = frozenset({"image", "audio", "video", "document"})

MEDIA_REPLY = {
    "es": "¡Gracias! Por ahora solo sé leer texto: ¿me cuentas por escrito en qué te puedo ayudar?",
    "en": "Thanks! For now I can only read text: could you tell me in writing how I can help?",
}


async def polite_reply(
    sessions: async_sessionmaker[AsyncSession], delivery: Delivery, *, conversation_id: int, message_id: int
) -> None:
    async with sessions.begin() as session:
        conversation = await conversations.get(session, conversation_id=conversation_id)
        assert conversation is not None
        reply = await messages_crud.add_outgoing(
            session,
            conversation=conversation,
            text=MEDIA_REPLY.get(conversation.language, MEDIA_REPLY["es"]),
            buttons=None,
            sender_type="bot",
            in_reply_to_id=message_id,
        )
    await delivery.deliver(conversation=conversation, messages=[reply])


def needs_a_person(conversation: Conversation) -> bool:
    """The bot has the conversation, or it was resolved and the customer came back within
    REOPEN_WINDOW_HOURS with something only a person can look at."""
    return status.is_bot_owned(conversation) or status.is_resolved(conversation)


async def hand_to_people(
    db: Database,
    delivery: Delivery,
    policy: TurnPolicy,
    *,
    conversation_id: int,
    message_id: int,
    media_type: str,
    caption: str | None = None,
) -> bool:
    """Hand a bot conversation (a resolved one: reopened first) to people for the file in
    ``message_id``; False when people already have it (nothing said then)."""
    uow = db.unit_of_work()
    async with uow.transaction() as session:
        conversation = await session.get(
            Conversation, conversation_id, with_for_update=True, populate_existing=True
        )
        message = await messages_crud.get(session, message_id=message_id)
        if conversation is None or message is None:
            return False
        if status.is_resolved(conversation):  # came back with the photo: the conversation reopens
            await status.reopen(session, conversation=conversation, by="customer")
        if not status.is_bot_owned(conversation):
            return False
        detail: dict[str, Any] = {"media_type": media_type}
        if caption is not None:
            detail["caption"] = caption
        bot_handoff = {"reason": MEDIA, "detail": detail}
        # Through the policy, so its rules (VIP contacts, skills) still set the priority and skill.
        decision = await policy.decide(
            session, conversation=conversation, message=message, bot_handoff=bot_handoff
        )
        change = await policy.hand_off(
            session,
            conversation=conversation,
            decision=decision or Decision(MEDIA, detail=detail),
            message_id=message_id,
        )
    await delivery.deliver(conversation=conversation, messages=change.messages)
    await delivery.publish_status(conversation=conversation)
    await uow.flush()  # handoff.requested: pause Rasa, tell the consoles, auto-assign
    return True
