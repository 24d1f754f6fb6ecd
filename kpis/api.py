"""The reports API for supervisors (``/api/v1/reports``): the KPIs, the conversations behind them (JSON
and CSV), the definitions. An agent's bearer token (POST /api/v1/agent/login) of role supervisor;
other agents get 403 ``supervisor_only`` (handoff/permissions.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff import after_hours, permissions
from handoff.api.deps import AgentDep, HandoffSettingsDep
from handoff.settings import HandoffSettings
from hub.api.deps import SessionsDep
from hub.clock import utcnow
from hub.errors import HubError
from kpis import definitions, export
from kpis.business import OpenClock, open_clock
from kpis.facts import Filters
from kpis.settings import KpiSettings
from kpis.sql import Dialect

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

#: The longest period one request may ask for.
MAX_DAYS = 400
_FIRST, _LAST = date(2000, 1, 1), date(2100, 12, 31)

GroupBy = Literal["day", "week", "channel", "team", "agent"]
Drill = Literal[
    "csat_low", "nps_detractors", "contained", "handed_off", "abandoned", "complaints", "complaints_open",
    "reopened",
]  # export.DRILLS' keys (tests/kpis/test_api.py checks)


class BadPeriod(HubError):
    code = "invalid_period"
    http_status = 422


class Period(BaseModel):
    start: date
    end: date = Field(description="Inclusive")
    channel: str | None = None
    team: str | None = None
    timezone: str = Field(default="UTC", description="Whose days these are (REPORTS_TIMEZONE)")


_START = "First day (in REPORTS_TIMEZONE, default UTC); default: 29 days before end"
_END = "Last day, inclusive (in REPORTS_TIMEZONE); default: today there"
_TEAM = "A handoff skill; '' = no team (bot only)"


def _period(
    start: Annotated[date | None, Query(ge=_FIRST, le=_LAST, description=_START)] = None,
    end: Annotated[date | None, Query(ge=_FIRST, le=_LAST, description=_END)] = None,
    channel: Annotated[str | None, Query(min_length=1, max_length=32, examples=["whatsapp"])] = None,
    team: Annotated[str | None, Query(max_length=40, description=_TEAM)] = None,
) -> Period:
    zone = KpiSettings().reports_timezone  # read per request: a few microseconds, and tests can set it
    last = end or utcnow().astimezone(ZoneInfo(zone)).date()
    first = start or last - timedelta(days=29)
    if first > last:
        raise BadPeriod(f"start ({first}) is after end ({last}); send start <= end (YYYY-MM-DD).")
    if (last - first).days >= MAX_DAYS:
        raise BadPeriod(f"The period is longer than {MAX_DAYS} days; ask for a shorter one.")
    return Period(start=first, end=last, channel=channel, team=team, timezone=zone)


PeriodDep = Annotated[Period, Depends(_period)]


def _filters(period: Period) -> Filters:
    """[local midnight of start, local midnight after end), in UTC (the stored times' zone)."""
    zone = ZoneInfo(period.timezone)
    start = datetime.combine(period.start, time(), zone).astimezone(UTC)
    end = datetime.combine(period.end + timedelta(days=1), time(), zone).astimezone(UTC)
    return Filters(start=start, end=end, channel=period.channel, team=period.team, zone=period.timezone)


def _clock(dialect_name: str, settings: HandoffSettings, filters: Filters) -> OpenClock:
    return open_clock(
        Dialect(dialect_name), after_hours.hours_of(settings), start=filters.start,
        end=max(utcnow(), filters.end) + timedelta(days=1),
    )  # fmt: skip


class KpisOut(BaseModel):
    period: Period
    group_by: str
    total: dict[str, Any] = Field(description="Every KPI of the period (GET /api/v1/reports/definitions)")
    groups: list[dict[str, Any]] = Field(description="The same per group; 'key' is the group")


class DefinitionOut(BaseModel):
    key: str
    title: str = Field(description="As the reports page shows it in Spanish")
    title_en: str = Field(description="... and in English")
    unit: str = Field(description="count | share (0..1) | seconds | score")
    definition: str


@router.get("/definitions", response_model=list[DefinitionOut])
async def list_definitions(agent: AgentDep) -> list[DefinitionOut]:
    """What each KPI means, as arithmetic over the per-conversation facts (docs/kpis.md)."""
    permissions.require_supervisor(agent)
    return [
        DefinitionOut(key=k.key, title=k.title, title_en=k.title_en, unit=k.unit, definition=k.doc)
        for k in definitions.KPIS
    ]


@router.get("/kpis", response_model=KpisOut)
async def kpis(
    agent: AgentDep, sessions: SessionsDep, settings: HandoffSettingsDep, period: PeriodDep,
    group_by: GroupBy = "day",
) -> KpisOut:  # fmt: skip
    """The KPIs of the conversations created in the period (and in the channel/team), for the whole
    period and per day, week, channel, team or agent (supervisors only)."""
    permissions.require_supervisor(agent)
    filters = _filters(period)
    async with sessions() as session:
        clock = _clock(session.get_bind().dialect.name, settings, filters)
        found = await definitions.compute(session, filters, group_by=group_by, open_seconds=clock)
    return KpisOut(period=period, group_by=group_by, **found)


async def _rows(
    sessions: async_sessionmaker[AsyncSession],
    settings: HandoffSettings,
    period: Period,
    drill: str | None,
    limit: int | None,
) -> list[dict[str, Any]]:
    filters = _filters(period)
    async with sessions() as session:
        clock = _clock(session.get_bind().dialect.name, settings, filters)
        return await export.conversations(session, filters, open_seconds=clock, drill=drill, limit=limit)


@router.get("/conversations")
async def conversations(
    agent: AgentDep, sessions: SessionsDep, settings: HandoffSettingsDep, period: PeriodDep,
    drill: Annotated[Drill | None, Query(description="Only the conversations behind one number")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
) -> list[dict[str, Any]]:  # fmt: skip
    """The conversations behind the numbers, one object per conversation (the CSV's columns), oldest
    first; ``drill`` keeps those of one number, e.g. ``csat_low`` (CSAT ≤ 2) (supervisors only)."""
    permissions.require_supervisor(agent)
    return await _rows(sessions, settings, period, drill, limit)


@router.get(
    "/conversations.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "One row per conversation"}},
)
async def conversations_csv(
    agent: AgentDep, sessions: SessionsDep, settings: HandoffSettingsDep, period: PeriodDep,
    drill: Annotated[Drill | None, Query()] = None,
) -> Response:  # fmt: skip
    """Every conversation of the period as CSV (UTF-8, header row, times UTC ISO 8601, durations in
    seconds); the same rows the KPIs are computed from (supervisors only)."""
    permissions.require_supervisor(agent)
    rows = await _rows(sessions, settings, period, drill, None)
    name = f"conversations-{period.start}-{period.end}.csv"
    return Response(
        export.as_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
