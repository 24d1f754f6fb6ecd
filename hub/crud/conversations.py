"""Conversations: lookup and creation. Status changes live in hub.status."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Conversation

__all__ = ["create", "get"]


async def get(session: AsyncSession, *, conversation_id: int) -> Conversation | None:
    return await session.get(Conversation, conversation_id)


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
