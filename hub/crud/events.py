"""Timestamped events: every state change, the raw material of KPIs."""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.crud.inserts import flushed_connection, returning_insert
from hub.models import Event

__all__ = ["list_for_conversation", "record", "recorded"]

# A Core INSERT of the table: no RETURNING and no ORM object, half the CPU of the ORM-enabled statement
# (0.2 against 0.5 ms, benchmarks/capacity_turn.py); every bot turn records one.
_INSERT = sa.insert(cast(sa.Table, Event.__table__))


def _given(
    conversation_id: int, kind: str, message_id: int | None, data: dict[str, Any] | None
) -> dict[str, Any]:
    given = {"conversation_id": conversation_id, "kind": kind, "message_id": message_id, "data": data}
    return {k: v for k, v in given.items() if v is not None}  # None: NULL, not JSON null


async def record(
    session: AsyncSession,
    *,
    conversation_id: int,
    kind: str,
    message_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Store one event in the session's transaction (after the changes the session holds)."""
    connection = await flushed_connection(session)
    await connection.execute(_INSERT, _given(conversation_id, kind, message_id, data))


async def recorded(
    session: AsyncSession,
    *,
    conversation_id: int,
    kind: str,
    message_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """:func:`record`, for a caller that shows the event (its id and time): the row as stored."""
    values = _given(conversation_id, kind, message_id, data)
    return (await session.scalars(returning_insert(Event, frozenset(values)), values)).one()


async def list_for_conversation(session: AsyncSession, *, conversation_id: int) -> list[Event]:
    query = sa.select(Event).where(Event.conversation_id == conversation_id).order_by(Event.id)
    return list((await session.execute(query)).scalars())
