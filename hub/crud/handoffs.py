"""Handoff requests (conversation, reason, detail); claimed/ended by agents later."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Handoff

__all__ = ["create", "list_for_conversation"]


async def create(
    session: AsyncSession,
    *,
    conversation_id: int,
    reason: str,
    detail: dict[str, Any] | None,
    message_id: int | None,
    priority: int = 1,
    language: str | None = None,
    skill: str | None = None,
    state: str = "waiting",
) -> Handoff:
    handoff = Handoff(
        conversation_id=conversation_id,
        reason=reason,
        detail=detail,
        message_id=message_id,
        priority=priority,
        language=language,
        skill=skill,
        state=state,
    )
    session.add(handoff)
    await session.flush()
    return handoff


async def list_for_conversation(session: AsyncSession, *, conversation_id: int) -> list[Handoff]:
    query = sa.select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id)
    return list((await session.execute(query)).scalars())
