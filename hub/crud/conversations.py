"""Conversations: lookup and creation. Status changes live in hub.status."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Conversation

__all__ = ["create", "get", "get_active"]


async def get(session: AsyncSession, *, conversation_id: int) -> Conversation | None:
    return await session.get(Conversation, conversation_id)


async def get_active(
    session: AsyncSession, *, contact_id: int, channel: str, source_id: str
) -> Conversation | None:
    """The unresolved (pending or open) conversation of the contact's identity (channel, source_id).

    A contact merged from several identities on one channel (two widget sessions, two phones)
    has one active conversation per identity: replies go where the customer wrote. The row is
    locked (PostgreSQL): messages of one conversation are stored one at a time, and a merge
    (hub.contacts, ``FOR UPDATE NOWAIT``) retries instead of moving the conversation under them.
    ``FOR NO KEY UPDATE``, not ``FOR UPDATE``: a bot reply being stored (``FOR KEY SHARE``, its
    transaction may be long on a busy worker) does not hold up the customer's next message.
    """
    query = (
        sa.select(Conversation)
        .where(
            Conversation.contact_id == contact_id,
            Conversation.channel == channel,
            Conversation.source_id == source_id,
            Conversation.status != "resolved",
        )
        .with_for_update(key_share=True)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def create(
    session: AsyncSession, *, contact_id: int, channel: str, source_id: str, language: str
) -> Conversation:
    """A new conversation owned by the bot (status pending)."""
    conversation = Conversation(
        contact_id=contact_id,
        channel=channel,
        source_id=source_id,
        status="pending",
        language=language,
    )
    session.add(conversation)
    await session.flush()
    return conversation
