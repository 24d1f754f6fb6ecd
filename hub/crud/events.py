"""Timestamped events: every state change, the raw material of KPIs."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.crud.inserts import returning_insert
from hub.models import Event

__all__ = ["list_for_conversation", "record"]


async def record(
    session: AsyncSession,
    *,
    conversation_id: int,
    kind: str,
    message_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    given = {"conversation_id": conversation_id, "kind": kind, "message_id": message_id, "data": data}
    values = {k: v for k, v in given.items() if v is not None}  # None: NULL, not JSON null
    # One ORM statement instead of a unit-of-work flush (every message records one or more).
    return (await session.scalars(returning_insert(Event, frozenset(values)), values)).one()


async def list_for_conversation(session: AsyncSession, *, conversation_id: int) -> list[Event]:
    query = sa.select(Event).where(Event.conversation_id == conversation_id).order_by(Event.id)
    return list((await session.execute(query)).scalars())
