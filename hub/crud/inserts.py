"""Inserts on the bot turn's hot path: ``INSERT ... RETURNING`` statements built once per set of columns
(a row stored on every bot turn, a reply or an event, would otherwise spend more on building the expression
than on running it), and the connection a Core statement runs on inside an ORM session."""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from hub.models import Base

__all__ = ["flushed_connection", "returning_insert"]


@functools.lru_cache(maxsize=64)
def returning_insert(model: type[Base], columns: frozenset[str]) -> sa.Insert:
    """ORM-enabled ``INSERT ... RETURNING model`` with a bound parameter (typed as its column) per name in
    ``columns``; run it with those values as parameters. ``.values()`` on it adds SQL expressions."""
    table: Any = model.__table__
    values = {name: sa.bindparam(name, type_=table.c[name].type) for name in columns}
    return sa.insert(model).values(values).returning(model)


async def flushed_connection(session: AsyncSession) -> AsyncConnection:
    """The session's connection, its pending ORM changes flushed first as an ORM statement's autoflush would
    (a Core statement does not autoflush): rows are then written in the order they were made."""
    if session.new or session.dirty:
        await session.flush()
    return await session.connection()
