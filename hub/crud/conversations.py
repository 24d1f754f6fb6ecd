"""Conversations: lookup. A new one is opened by hub.crud.arrivals; status changes live in hub.status."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Conversation

__all__ = ["get"]


async def get(session: AsyncSession, *, conversation_id: int) -> Conversation | None:
    return await session.get(Conversation, conversation_id)
