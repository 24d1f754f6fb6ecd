"""Build the policy's view of a customer turn from the stored conversation."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.policy import Turn
from hub.models import Conversation, Message

__all__ = ["build"]

_HISTORY = 6

# Built once: every bot turn runs it (building the expression cost more than running it). Two columns, not
# Message entities: six rows loaded into the session's identity map cost more than the query.
_EARLIER = (
    sa.select(Message.text, Message.context)
    .where(
        Message.conversation_id == sa.bindparam("conversation_id"),
        Message.message_type == "incoming",
        Message.id < sa.bindparam("message_id"),
    )
    .order_by(Message.id.desc())
    .limit(_HISTORY)
)


async def build(
    session: AsyncSession,
    *,
    conversation: Conversation,
    message: Message,
    bot_handoff: dict[str, Any] | None = None,
) -> Turn:
    """The turn of incoming ``message``, with the earlier customer turns of its conversation."""
    params = {"conversation_id": conversation.id, "message_id": message.id}
    previous = (await session.execute(_EARLIER, params)).all()
    nlu = (message.context or {}).get("nlu") or {}
    return Turn(
        conversation_id=conversation.id,
        contact_id=conversation.contact_id,
        channel=conversation.channel,
        source_id=conversation.source_id,
        language=conversation.language,
        text=message.text,
        bot_handoff=bot_handoff,
        intent=nlu.get("intent"),
        entities=list(nlu.get("entities") or []),
        previous_intents=[((context or {}).get("nlu") or {}).get("intent") for _text, context in previous],
        previous_texts=[text for text, _context in previous],
    )
