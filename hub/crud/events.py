"""Timestamped events: every state change, the raw material of KPIs."""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

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
    return (await session.scalars(_insert(frozenset(values)), values)).one()


@functools.lru_cache(maxsize=16)
def _insert(columns: frozenset[str]) -> sa.Insert:
    """``INSERT ... RETURNING`` of an event with these columns, built once per set of columns: one ORM
    statement instead of a unit-of-work flush (every message records one or more)."""
    table = Event.__table__
    values = {name: sa.bindparam(name, type_=table.c[name].type) for name in columns}
    return sa.insert(Event).values(values).returning(Event)


async def list_for_conversation(session: AsyncSession, *, conversation_id: int) -> list[Event]:
    query = sa.select(Event).where(Event.conversation_id == conversation_id).order_by(Event.id)
    return list((await session.execute(query)).scalars())
