"""The few SQL expressions that differ between SQLite and PostgreSQL: epoch seconds, day/week buckets,
the smaller of two numbers. Everything else in the KPI queries is portable SQLAlchemy Core."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

__all__ = ["BUCKETS", "Dialect", "bucket", "epoch", "for_reports", "greatest", "kb_decision", "least"]

#: How the numbers can be grouped (``group_by`` of the API).
BUCKETS = ("day", "week", "channel", "team", "agent")


class Dialect:
    """``postgresql`` or ``sqlite`` (what the session's engine speaks)."""

    def __init__(self, name: str) -> None:
        self.postgres = name == "postgresql"


def epoch(dialect: Dialect, column: Any) -> ColumnElement[float]:
    """Seconds since 1970-01-01 UTC of a stored timestamp (NULL stays NULL)."""
    if dialect.postgres:
        return sa.cast(sa.extract("epoch", column), sa.Float)
    # SQLite stores UTC text 'YYYY-MM-DD HH:MM:SS.ffffff': whole seconds plus the milliseconds of %f
    # (julianday's double would blur them by ~50 µs).
    whole = sa.cast(sa.func.strftime("%s", column), sa.Float)
    return whole + sa.cast(sa.func.strftime("%f", column), sa.Float) - sa.cast(
        sa.func.strftime("%S", column), sa.Float
    )


def kb_decision(dialect: Dialect, context: Any) -> ColumnElement[str]:
    """``context.kb.decision`` of a message (answer | clarify | handoff)."""
    if dialect.postgres:  # -> ->> reads the JSONB ~2.5x faster than the path operator #>>
        return context["kb"]["decision"].as_string()
    return context[("kb", "decision")].as_string()


def least(dialect: Dialect, a: Any, b: Any) -> ColumnElement[Any]:
    return sa.func.least(a, b) if dialect.postgres else sa.func.min(a, b)


def greatest(dialect: Dialect, a: Any, b: Any) -> ColumnElement[Any]:
    return sa.func.greatest(a, b) if dialect.postgres else sa.func.max(a, b)


def day(dialect: Dialect, column: Any) -> ColumnElement[str]:
    """The UTC date 'YYYY-MM-DD' of a timestamp."""
    if dialect.postgres:
        return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM-DD")
    return sa.func.date(column)


def week(dialect: Dialect, column: Any) -> ColumnElement[str]:
    """The Monday 'YYYY-MM-DD' (UTC) of a timestamp's ISO week."""
    if dialect.postgres:
        return sa.func.to_char(sa.func.date_trunc("week", sa.func.timezone("UTC", column)), "YYYY-MM-DD")
    return sa.func.date(column, "weekday 0", "-6 days")


def bucket(dialect: Dialect, by: str, *, created_at: Any, channel: Any, team: Any, agent: Any) -> Any:
    """The group key of ``by`` (one of :data:`BUCKETS`) as text."""
    if by == "day":
        return day(dialect, created_at)
    if by == "week":
        return week(dialect, created_at)
    if by == "channel":
        return channel
    if by == "team":
        return team
    if by == "agent":
        return sa.cast(agent, sa.String)
    raise ValueError(f"unknown group {by!r}; use one of {', '.join(BUCKETS)}")


async def for_reports(session: AsyncSession) -> Dialect:
    """The session's dialect; on PostgreSQL, the report's transaction gets room to sort and hash a month
    in memory (work_mem 64 MB, not the default 4 MB that spills to disk) and no JIT (its compile time,
    ~0.4 s, is more than it saves on these queries)."""
    dialect = Dialect(session.get_bind().dialect.name)
    if dialect.postgres:
        await session.execute(sa.text("SET LOCAL work_mem = '64MB'"))
        await session.execute(sa.text("SET LOCAL jit = off"))
    return dialect
