"""Helpers for ``InProcessHub.db``: apply a state change to one conversation, read its stored events."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.crud import conversations
from hub.models import Event

__all__ = ["change", "events_of"]


def change(conversation_id: int, fn: Any, **kwargs: Any) -> Any:
    """``fn(session, conversation=..., **kwargs)`` committed; returns the conversation's status after."""

    async def run(session: AsyncSession) -> str:
        conversation = await conversations.get(session, conversation_id=conversation_id)
        assert conversation is not None
        await fn(session, conversation=conversation, **kwargs)
        await session.commit()
        return conversation.status

    return run


def events_of(conversation_id: int) -> Any:
    """The conversation's stored events as (kind, data), oldest first."""

    async def run(session: AsyncSession) -> list[tuple[str, Any]]:
        rows = await session.execute(
            sa.select(Event.kind, Event.data)
            .where(Event.conversation_id == conversation_id)
            .order_by(Event.id)
        )
        return [tuple(row) for row in rows]

    return run
