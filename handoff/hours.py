"""Business hours of the agents' desk: is a person at work now, and when do they come back.

Configured in the ``business_hours`` section of the handoff policy file (handoff/policy.yml or
HANDOFF_POLICY_PATH; docs/handoff.md): an IANA time zone, opening intervals per weekday (several a
day), holidays (a date, or "MM-DD" every year, optionally named), and optional other hours per
language or team (skill). Intervals are local wall-clock times, so opening at 09:00 stays 09:00
across daylight-saving changes. The file is validated when loaded; a mistake raises
:class:`HoursError` naming the file and the key. "Now" is the hub's one clock (hub/clock.py).
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

__all__ = ["WEEKDAYS", "BusinessHours", "HoursError", "Schedule", "load", "parse"]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_YEARLY = re.compile(r"^(\d{2})-(\d{2})$")
_SEARCH_DAYS = 400  # a year of holidays cannot hide every opening of a weekly schedule



class HoursError(ValueError):
    """The business_hours section is wrong: which file, which key, what is expected."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        super().__init__(f"{source}: {key}: {problem}")
        self.source = source
        self.key = key


@dataclass(frozen=True)
class Schedule:
    """Opening hours in one time zone: minutes of the day [start, end) per weekday, and holidays."""

    zone: ZoneInfo
    week: tuple[tuple[tuple[int, int], ...], ...]  # 7 entries, Monday first
    holidays: dict[date, str | None] = field(default_factory=dict)
    yearly: dict[tuple[int, int], str | None] = field(default_factory=dict)  # (month, day) -> name

    @property
    def place(self) -> str:
        """The zone's city for customers: Europe/Madrid -> "Madrid"."""
        return self.zone.key.rsplit("/", 1)[-1].replace("_", " ")

    def holiday(self, day: date) -> tuple[bool, str | None]:
        """(is it a holiday, its name) for a local date."""
        if day in self.holidays:
            return True, self.holidays[day]
        if (day.month, day.day) in self.yearly:
            return True, self.yearly[(day.month, day.day)]
        return False, None

    def _intervals(self, day: date) -> tuple[tuple[int, int], ...]:
        if self.holiday(day)[0]:
            return ()
        return self.week[day.weekday()]

    def open_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The instants [open, close) of a local date (none on a holiday); for the KPIs' open time."""
        return [
            (self._instant(day, start), self._instant(day, end) if end < 24 * 60 else
             self._instant(day + timedelta(days=1), 0))
            for start, end in self._intervals(day)
        ]  # fmt: skip

    def local(self, at: datetime) -> datetime:
        if at.tzinfo is None:
            raise ValueError("business hours need a timezone-aware datetime")
        return at.astimezone(self.zone)

    def is_open(self, at: datetime) -> bool:
        """Is the desk open at ``at`` (any time zone)?"""
        local = self.local(at)
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self._intervals(local.date()))

    def next_opening(self, at: datetime) -> datetime | None:
        """The first instant >= ``at`` when the desk is open (``at`` itself when open), in the
        business's time zone; None when the schedule never opens."""
        local = self.local(at)
        if self.is_open(at):
            return local
        minute = local.hour * 60 + local.minute
        for offset in range(_SEARCH_DAYS):
            day = local.date() + timedelta(days=offset)
            for start, _end in self._intervals(day):
                if offset == 0 and start <= minute:
                    continue
                return self._instant(day, start)
        return None

    def _instant(self, day: date, minute: int) -> datetime:
        """Local wall time ``minute`` of ``day`` as an instant; a start inside a spring-forward gap
        (02:30 when clocks jump from 02:00 to 03:00) becomes the end of the gap (03:00)."""
        for later in range(minute, 24 * 60):
            wall = datetime.combine(day, time(later // 60, later % 60), tzinfo=self.zone)
            real = wall.astimezone(UTC).astimezone(self.zone)
            if real.replace(tzinfo=None) == wall.replace(tzinfo=None):
                return real
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone)


@dataclass(frozen=True)
class BusinessHours:
    """The desk's hours: off (always open), or a schedule with others per language and team."""

    enabled: bool = False
    default: Schedule | None = None
    languages: dict[str, Schedule] = field(default_factory=dict)
    teams: dict[str, Schedule] = field(default_factory=dict)

    def schedule_for(self, *, language: str | None = None, team: str | None = None) -> Schedule | None:
        """The schedule that applies (team first, then language, then the default); None: always open."""
        if not self.enabled:
            return None
        if team and team in self.teams:
            return self.teams[team]
        if language and language in self.languages:
            return self.languages[language]
        return self.default


def _minutes(source: str, key: str, hours: str, minutes: str) -> int:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m):
        raise HoursError(source, key, f"{hours}:{minutes} is not a time of day (00:00 to 24:00)")
    return h * 60 + m


def _day(source: str, key: str, raw: Any) -> tuple[tuple[int, int], ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raise HoursError(source, key, 'expected a list of "HH:MM-HH:MM" intervals, e.g. ["09:00-14:00"]')
    intervals: list[tuple[int, int]] = []
    for i, item in enumerate(raw):
        match = _INTERVAL.match(str(item))
        if match is None:
            raise HoursError(source, f"{key}[{i}]", f'{item!r} is not "HH:MM-HH:MM" (e.g. "16:00-20:00")')
        start = _minutes(source, f"{key}[{i}]", match.group(1), match.group(2))
        end = _minutes(source, f"{key}[{i}]", match.group(3), match.group(4))
        if end <= start:
            raise HoursError(
                source, f"{key}[{i}]", f"{item!r} ends before it starts (use 24:00 for midnight)"
            )
        intervals.append((start, end))
    intervals.sort()
    for (_s1, e1), (s2, _e2) in itertools.pairwise(intervals):
        if s2 < e1:
            raise HoursError(source, key, "intervals overlap; merge them into one")
    return tuple(intervals)


def _holidays(
    source: str, key: str, raw: Any
) -> tuple[dict[date, str | None], dict[tuple[int, int], str | None]]:
    if raw is None:
        return {}, {}
    if not isinstance(raw, list):
        raise HoursError(source, key, 'expected a list of dates: "2026-12-25", "12-25" or {date, name}')
    dated: dict[date, str | None] = {}
    yearly: dict[tuple[int, int], str | None] = {}
    for i, item in enumerate(raw):
        name: str | None = None
        value = item
        if isinstance(item, dict):
            if "date" not in item:
                raise HoursError(source, f"{key}[{i}]", "a holiday needs a date (and optionally a name)")
            value, name = item["date"], (str(item["name"]) if item.get("name") else None)
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            dated[value] = name
            continue
        text = str(value).strip()
        yearly_match = _YEARLY.match(text)
        try:
            if yearly_match:
                month, day = int(yearly_match.group(1)), int(yearly_match.group(2))
                date(2000, month, day)  # a leap year: 02-29 is allowed
                yearly[(month, day)] = name
            else:
                dated[date.fromisoformat(text)] = name
        except ValueError:
            raise HoursError(
                source, f"{key}[{i}]", f"{value!r} is not a date (YYYY-MM-DD, or MM-DD for every year)"
            ) from None
    return dated, yearly


def _zone(source: str, key: str, raw: Any) -> ZoneInfo:
    if not isinstance(raw, str) or not raw:
        raise HoursError(source, key, "an IANA time zone is required, e.g. Europe/Madrid")
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise HoursError(source, key, f"{raw!r} is not an IANA time zone (e.g. Europe/Madrid)") from None


_SCHEDULE_KEYS = {"time_zone", "week", "holidays"}


def _schedule(source: str, key: str, raw: dict[str, Any], base: Schedule | None) -> Schedule:
    prefix = f"{key}." if key else ""
    if "time_zone" in raw or base is None:
        zone = _zone(source, f"{prefix}time_zone", raw.get("time_zone"))
    else:
        zone = base.zone
    if "week" in raw or base is None:
        week_raw = raw.get("week") or {}
        if not isinstance(week_raw, dict):
            raise HoursError(source, f"{prefix}week", "expected a mapping of weekday -> intervals")
        unknown = sorted(set(map(str, week_raw)) - set(WEEKDAYS))
        if unknown:
            raise HoursError(
                source, f"{prefix}week", f"unknown weekday {unknown[0]!r}; use {', '.join(WEEKDAYS)}"
            )
        week = tuple(_day(source, f"{prefix}week.{d}", week_raw.get(d)) for d in WEEKDAYS)
    else:
        week = base.week
    if "holidays" in raw or base is None:
        dated, yearly = _holidays(source, f"{prefix}holidays", raw.get("holidays"))
    else:
        dated, yearly = base.holidays, base.yearly
    return Schedule(zone, week, dated, yearly)


def _others(source: str, key: str, raw: Any, base: Schedule) -> dict[str, Schedule]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise HoursError(source, key, "expected a mapping of name -> {time_zone, week, holidays}")
    found: dict[str, Schedule] = {}
    for name, spec in raw.items():
        if not isinstance(spec, dict):
            raise HoursError(source, f"{key}.{name}", "expected {time_zone?, week?, holidays?}")
        extra = sorted(set(map(str, spec)) - _SCHEDULE_KEYS)
        if extra:
            raise HoursError(source, f"{key}.{name}.{extra[0]}", "unknown key; use time_zone, week, holidays")
        found[str(name)] = _schedule(source, f"{key}.{name}", spec, base)
    return found


def parse(raw: Any, *, source: str = "business_hours") -> BusinessHours:
    """The ``business_hours`` section (None: always open). Raises HoursError naming file and key."""
    key = "business_hours"
    if raw is None:
        return BusinessHours()
    if not isinstance(raw, dict):
        raise HoursError(source, key, "expected a mapping (enabled, time_zone, week, holidays, ...)")
    extra = sorted(set(map(str, raw)) - _SCHEDULE_KEYS - {"enabled", "languages", "teams"})
    if extra:
        raise HoursError(
            source,
            f"{key}.{extra[0]}",
            "unknown key; use enabled, time_zone, week, holidays, languages, teams",
        )
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise HoursError(source, f"{key}.enabled", "expected true or false")
    default = _schedule(source, key, raw, None)
    return BusinessHours(
        enabled=enabled,
        default=default,
        languages=_others(source, f"{key}.languages", raw.get("languages"), default),
        teams=_others(source, f"{key}.teams", raw.get("teams"), default),
    )


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> BusinessHours:
    with open(path, encoding="utf-8") as handle:
        config = yaml.safe_load(handle) or {}
    if not isinstance(config, dict):
        raise HoursError(path, "(top level)", "the handoff policy must be a YAML mapping")
    return parse(config.get("business_hours"), source=path)


def load(path: Path) -> BusinessHours:
    """The business hours of the policy file at ``path``; re-read when the file changes."""
    return _load(str(path), path.stat().st_mtime)
