"""Seconds the desk was open between two instants, in SQL (handoff/hours.py's schedule).

People can only answer while the desk is open, so the queue wait and the human first response time
count open seconds only: a customer handed off at 19:55 and answered at 09:05 the next day waited
10 minutes of business time (desk 09:00-20:00), not 13 hours. The bot's times and the resolution time
stay wall-clock.

The schedule's open intervals of the period become a small table (start, end, open seconds before it);
``open_seconds_until(t)`` is the open time from the period's start until ``t``, so the open seconds
between ``a`` and ``b`` are ``open_seconds_until(b) - open_seconds_until(a)``. Business hours off (the
default): the plain difference.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from handoff.hours import BusinessHours, Schedule
from kpis.sql import Dialect, least

__all__ = ["OpenClock", "open_clock"]

OpenClock = Callable[[Any], Any]


def _intervals(schedule: Schedule, start: datetime, end: datetime) -> list[tuple[float, float, float]]:
    """(start, end, open seconds before it) of every open interval between ``start`` and ``end``."""
    rows: list[tuple[float, float, float]] = []
    before = 0.0
    day = schedule.local(start).date() - timedelta(days=1)
    last = schedule.local(end).date() + timedelta(days=1)
    while day <= last:
        for begin, finish in schedule.open_intervals(day):
            s, e = begin.timestamp(), finish.timestamp()
            if e > s:
                rows.append((s, e, before))
                before += e - s
        day += timedelta(days=1)
    return rows


def open_clock(
    dialect: Dialect, hours: BusinessHours, *, start: datetime, end: datetime
) -> OpenClock:
    """``f(epoch_seconds_expr)`` -> open seconds since the period's start (identity when the desk is
    always open). ``end``: the last instant that may be measured (now)."""
    schedule = hours.schedule_for()
    if schedule is None:
        return lambda t: t
    rows = _intervals(schedule, start, end)
    if not rows:
        return lambda t: sa.literal(0.0) + t * 0
    table = sa.values(
        sa.column("s", sa.Float), sa.column("e", sa.Float), sa.column("c", sa.Float), name="open_intervals"
    ).data(rows).cte("open_intervals")

    def until(t: Any) -> Any:
        inside = least(dialect, t - table.c.s, table.c.e - table.c.s)
        found = (
            sa.select(table.c.c + inside)
            .where(table.c.s <= t)
            .order_by(table.c.s.desc())
            .limit(1)
            .scalar_subquery()
        )
        return sa.func.coalesce(found, 0.0)

    return until
