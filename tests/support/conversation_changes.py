"""Helpers for ``InProcessHub.db``: apply a state change to one conversation, read its stored events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.crud import conversations
from hub.models import Conversation, Event, utcnow

__all__ = ["change", "events_of", "resolved_hours_ago"]


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


def resolved_hours_ago(conversation_id: int, hours: float) -> Any:
    """Move a resolved conversation's ``resolved_at`` back: past REOPEN_WINDOW_HOURS, the contact's next
    message starts a new conversation instead of reopening it."""

    async def run(session: AsyncSession) -> None:
        moved = utcnow() - timedelta(hours=hours)
        query = sa.update(Conversation).where(Conversation.id == conversation_id).values(resolved_at=moved)
        await session.execute(query)
        await session.commit()

    return run
