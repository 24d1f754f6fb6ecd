"""Seconds the desk was open between two instants, in SQL (handoff/hours.py's schedule).

People can only answer while the desk is open, so the queue wait and the human first response time
count open seconds only: a customer handed off at 19:55 and answered at 09:05 the next day waited
10 minutes of business time (desk 09:00-20:00), not 13 hours. The bot's times and the resolution time
stay wall-clock.

The schedule becomes a small table with one row per UTC day of the period: the day's number, the open
seconds from the period's start until that day's midnight, and the day's open intervals (clipped to the
day, as epoch seconds). ``open_until(t)`` joins the row of ``t``'s day (a hash join on an integer, no
subquery per conversation) and adds the open part of each interval before ``t``; the open seconds between
``a`` and ``b`` are ``open_until(b) - open_until(a)``. Business hours off (the default): the plain
difference, no table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from handoff.hours import BusinessHours, Schedule
from kpis.sql import Dialect, greatest, least

__all__ = ["OpenClock", "open_clock"]

DAY = 86400


def _open_intervals(schedule: Schedule, start: datetime, end: datetime) -> list[tuple[float, float]]:
    """Every open interval (epoch seconds) of the local days around [start, end]."""
    found: list[tuple[float, float]] = []
    day = schedule.local(start).date() - timedelta(days=1)
    last = schedule.local(end).date() + timedelta(days=1)
    while day <= last:
        for begin, finish in schedule.open_intervals(day):
            if finish > begin:
                found.append((begin.timestamp(), finish.timestamp()))
        day += timedelta(days=1)
    return found


def _day_rows(
    intervals: list[tuple[float, float]], first: int, last: int
) -> tuple[list[tuple[Any, ...]], int]:
    """(day number, open seconds before the day, [start, end] per interval of the day) for UTC days
    ``first``..``last``; and how many interval slots a row has."""
    days: list[tuple[int, float, list[tuple[float, float]]]] = []
    before = 0.0
    for number in range(first, last + 1):
        midnight, next_midnight = number * DAY, (number + 1) * DAY
        inside = [
            (max(s, midnight), min(e, next_midnight))
            for s, e in intervals
            if s < next_midnight and e > midnight
        ]
        days.append((number, before, inside))
        before += sum(e - s for s, e in inside)
    slots = max((len(inside) for _n, _b, inside in days), default=0) or 1
    rows = []
    for number, before_day, inside in days:
        flat: list[float] = []
        for s, e in inside + [(0.0, 0.0)] * (slots - len(inside)):
            flat += [s, e]
        rows.append((number, before_day, *flat))
    return rows, slots


@dataclass
class OpenClock:
    """``until(name, t)``: open seconds from the period's start until ``t`` (epoch seconds); the joins it
    needs are in ``joins`` (alias, on-clause) for the query to add. Always open: ``until`` is ``t``."""

    dialect: Dialect
    days: Any = None  # the per-day table (a CTE), None when always open
    slots: int = 0
    joins: list[tuple[Any, Any]] = field(default_factory=list)
    _aliases: dict[str, Any] = field(default_factory=dict)

    def fresh(self) -> OpenClock:
        """The same clock for another query (its own joins)."""
        return OpenClock(self.dialect, self.days, self.slots)

    def until(self, name: str, t: Any) -> Any:
        if self.days is None:
            return t
        day = self._aliases.get(name)
        if day is None:
            day = self._aliases[name] = self.days.alias(name)
            number = sa.func.floor(t / DAY) if self.dialect.postgres else t / DAY
            self.joins.append((day, day.c.d == sa.cast(number, sa.Integer)))
        total = day.c.c
        for i in range(self.slots):
            s, e = day.c[f"s{i}"], day.c[f"e{i}"]
            total = total + greatest(self.dialect, 0.0, least(self.dialect, t - s, e - s))
        return total


def open_clock(dialect: Dialect, hours: BusinessHours, *, start: datetime, end: datetime) -> OpenClock:
    """The desk's open-time clock for a period starting at ``start``; ``end``: the last instant that may be
    measured (now)."""
    schedule = hours.schedule_for()
    if schedule is None:
        return OpenClock(dialect)
    first = int(start.astimezone(UTC).timestamp() // DAY) - 1
    last = int(end.astimezone(UTC).timestamp() // DAY) + 1
    rows, slots = _day_rows(_open_intervals(schedule, start, end), first, last)
    columns = [sa.column("d", sa.Integer), sa.column("c", sa.Float)]
    for i in range(slots):
        columns += [sa.column(f"s{i}", sa.Float), sa.column(f"e{i}", sa.Float)]
    days = sa.values(*columns, name="open_days").data(rows).cte("open_days")
    return OpenClock(dialect, days, slots)

