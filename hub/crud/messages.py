"""Messages: incoming (customer), outgoing (bot/agent), activity (system)."""

from __future__ import annotations

import functools
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from hub.bot_state import BotState
from hub.crud.inserts import flushed_connection
from hub.models import Conversation, Message

__all__ = [
    "add_activity",
    "add_outgoing",
    "get",
    "list_for_conversation",
    "next_queued",
    "queued_ids",
]


async def get(session: AsyncSession, *, message_id: int) -> Message | None:
    return await session.get(Message, message_id)


# The conversation's contact as stored when the row is inserted, not as loaded earlier: a merge (hub.contacts)
# may have moved the conversation meanwhile. ``FOR KEY SHARE`` waits for a merge in flight (``FOR UPDATE``)
# but not for a customer message being stored (``FOR NO KEY UPDATE``).
_CONTACT_NOW = (
    sa.select(Conversation.contact_id)
    .where(Conversation.id == sa.bindparam("conversation_id"))
    .with_for_update(read=True, key_share=True)
    .scalar_subquery()
)


_messages = cast(sa.Table, Message.__table__)


@functools.lru_cache(maxsize=16)
def _insert(columns: frozenset[str]) -> sa.Insert:
    """A Core ``INSERT ... RETURNING`` of a message with these columns and its contact as stored now, built
    once per set of columns (no ORM bulk path: half its CPU, and every bot reply runs it)."""
    values: dict[str, Any] = {name: sa.bindparam(name, type_=_messages.c[name].type) for name in columns}
    values["contact_id"] = _CONTACT_NOW
    return sa.insert(_messages).values(values).returning(*_messages.c)


async def _stored(session: AsyncSession, **values: Any) -> Message:
    """One ``INSERT ... RETURNING``: the row as stored (its ``contact_id`` from the subquery included), as a
    Message of the session (persistent: a later change to it is flushed), without a flush and a SELECT
    after it; after the changes the session holds (:func:`flushed_connection`)."""
    values = {k: v for k, v in values.items() if v is not None}  # None: NULL, not JSON null
    connection = await flushed_connection(session)
    row = (await connection.execute(_insert(frozenset(values)), values)).one()
    message = Message(**row._asdict())
    make_transient_to_detached(message)  # loaded as stored: no pending change
    session.add(message)
    return message


async def add_outgoing(
    session: AsyncSession,
    *,
    conversation: Conversation,
    text: str,
    buttons: list[dict[str, Any]] | None,
    sender_type: str,
    in_reply_to_id: int | None,
) -> Message:
    return await _stored(
        session,
        conversation_id=conversation.id,
        channel=conversation.channel,
        message_type="outgoing",
        sender_type=sender_type,
        text=text,
        buttons=buttons or None,
        status="sent",
        language=conversation.language,
        in_reply_to_id=in_reply_to_id,
    )


async def add_activity(
    session: AsyncSession, *, conversation: Conversation, text: str, data: dict[str, Any] | None
) -> Message:
    return await _stored(
        session,
        conversation_id=conversation.id,
        channel=conversation.channel,
        message_type="activity",
        sender_type="system",
        text=text,
        status="sent",
        context=data,
    )


async def list_for_conversation(
    session: AsyncSession, *, conversation_id: int, after_id: int = 0, limit: int = 200
) -> list[Message]:
    query = (
        sa.select(Message)
        .where(Message.conversation_id == conversation_id, Message.id > after_id)
        .order_by(Message.id)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def next_queued(session: AsyncSession, *, conversation_id: int) -> Message | None:
    """The oldest incoming message of the conversation still waiting for the bot."""
    query = (
        sa.select(Message)
        .where(Message.conversation_id == conversation_id, Message.bot_state == BotState.QUEUED)
        .order_by(Message.id)
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def queued_ids(session: AsyncSession) -> list[int]:
    """Every incoming message still waiting for the bot, oldest first."""
    query = sa.select(Message.id).where(Message.bot_state == BotState.QUEUED).order_by(Message.id)
    return list((await session.execute(query)).scalars())


async def offered_choice(session: AsyncSession, *, conversation_id: int, text: str) -> dict[str, str] | None:
    """The button (``{"title", "payload"}``) of the bot's last few messages whose payload is ``text``: a
    quick reply the customer tapped (the widget sends the payload); None for anything else."""
    payload = text.strip()
    if not payload.startswith("/"):
        return None
    rows = await session.scalars(
        sa.select(Message.buttons)
        .where(
            Message.conversation_id == conversation_id,
            Message.message_type == "outgoing",
            Message.buttons.is_not(None),
        )
        .order_by(Message.id.desc())
        .limit(3)
    )
    for buttons in rows:
        for button in buttons or []:
            if isinstance(button, dict) and str(button.get("payload")) == payload and button.get("title"):
                return {"title": str(button["title"]), "payload": payload}
    return None
