"""Each KPI against the hand-built history of tests/kpis/kpi_history.py, worked out by hand; SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from kpi_history import DAY, History, at, build, database

from handoff import hours
from kpis.business import open_clock
from kpis.definitions import compute
from kpis.facts import Filters
from kpis.sql import Dialect

PERIOD = Filters(start=DAY, end=DAY + timedelta(days=1))
ALWAYS_OPEN = hours.parse(None)


async def _kpis(url: str, *asked: tuple[Filters, str], desk: Any = ALWAYS_OPEN) -> list[Any]:
    """The KPIs of the history for each (filters, group_by) asked."""
    async with database(url) as sessions:
        async with sessions.begin() as session:
            await build(session)
        found = []
        async with sessions() as session:
            dialect = Dialect(session.get_bind().dialect.name)
            for filters, group_by in asked:
                clock = open_clock(dialect, desk, start=filters.start, end=filters.end + timedelta(days=2))
                found.append(await compute(session, filters, group_by=group_by, open_seconds=clock))
        return found


async def test_every_kpi_of_the_period(database_url: str) -> None:
    [found] = await _kpis(database_url, (PERIOD, "day"))
    total = found["total"]
    expected = {
        "conversations": 4,  # E was created the day before
        "messages": 11,  # 4 + 3 + 2 + 2; B's activity line is not a message
        "containment": 1 / 4,  # A
        "handoff_rate": 3 / 4,  # B, C, D
        "frt_bot_median": 2.0,  # A 2 s, B 1 s, C 3 s: the 2nd of 3
        "frt_bot_p90": 3.0,  # the ⌈2.7⌉ = 3rd
        "frt_human_median": 60.0,  # D 60 s, B 180 s: the 1st of 2
        "frt_human_p90": 180.0,
        "queue_wait_median": 30.0,  # D 30 s, B 120 s (C never claimed)
        "queue_wait_p90": 120.0,
        "resolution_median": 1860.0,  # C 603, A 1860, B 3600
        "resolution_p90": 3600.0,
        "abandonment": 1 / 3,  # C of B, C, D
        "fcr": 2 / 3,  # A, B, C resolved; B reopened
        "complaints_received": 2,  # B, D
        "complaints_resolved": 1,  # B
        "complaints_open": 1,  # D
        "csat_bot": 5.0,
        "csat_bot_good": 1.0,
        "csat_human": 2.0,
        "csat_human_good": 0.0,
        "csat_responses": 2,
        "csat_response_rate": 1.0,
        "nps": 0.0,  # one promoter (10), one detractor (3)
        "nps_responses": 2,
        "kb_answered": 1 / 3,
        "kb_clarified": 1 / 3,
        "kb_handed_off": 1 / 3,
        "kb_not_helpful": 1 / 2,  # C's No of A's Sí and C's No
        "feedback_answers": 2,
    }
    assert {key: total[key] for key in expected} == pytest.approx(expected)
    assert total["handoffs_by_reason"] == {"complaint": 2, "explicit_request": 1}
    assert total["handoff_rate_by_reason"] == pytest.approx({"complaint": 0.5, "explicit_request": 0.25})
    assert [g["key"] for g in found["groups"]] == ["2026-12-01"]
    assert found["groups"][0]["conversations"] == 4


async def test_groups_by_channel_team_and_agent(database_url: str) -> None:
    by_channel, by_agent, by_team = await _kpis(
        database_url, (PERIOD, "channel"), (PERIOD, "agent"), (PERIOD, "team")
    )
    channels = {g["key"]: g for g in by_channel["groups"]}
    assert channels["widget"]["conversations"] == 2
    assert channels["widget"]["containment"] == pytest.approx(0.5)
    assert channels["whatsapp"]["complaints_open"] == 1
    assert channels["whatsapp"]["queue_wait_median"] == pytest.approx(30.0)
    assert channels["whatsapp"]["csat_human"] == pytest.approx(2.0)
    assert channels["widget"]["csat_human"] is None
    agents = {g["key"]: g["conversations"] for g in by_agent["groups"]}
    assert agents == {"": 2, "1": 1, "2": 1}
    assert {g["key"]: g["frt_human_median"] for g in by_team["groups"]} == {"": None, "billing": 60.0}


async def test_filters_by_channel_and_team(database_url: str) -> None:
    whatsapp = Filters(start=PERIOD.start, end=PERIOD.end, channel="whatsapp")
    billing = Filters(start=PERIOD.start, end=PERIOD.end, team="billing")
    on_whatsapp, for_billing = await _kpis(database_url, (whatsapp, "day"), (billing, "day"))
    assert on_whatsapp["total"]["conversations"] == 2
    assert on_whatsapp["total"]["complaints_received"] == 2
    assert for_billing["total"]["conversations"] == 2
    assert for_billing["total"]["containment"] == 0.0


async def test_an_empty_period_has_no_rates(database_url: str) -> None:
    later = Filters(start=DAY + timedelta(days=10), end=DAY + timedelta(days=11))
    [found] = await _kpis(database_url, (later, "day"))
    assert found["total"]["conversations"] == 0
    assert found["total"]["containment"] is None
    assert found["total"]["frt_bot_median"] is None
    assert found["groups"] == []


async def test_queue_wait_and_human_frt_count_open_hours_only(database_url: str) -> None:
    """B waits 120 s and D 30 s in the queue; with the desk open only from 11:01 (UTC, every day), B's
    wait counts from 11:01:00: 61 s, and its first answer 121 s; D (13:00) is unchanged."""
    week = {day: ["12:01-23:00"] for day in
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}  # fmt: skip
    desk = hours.parse({"enabled": True, "time_zone": "Europe/Madrid", "week": week})
    [found] = await _kpis(database_url, (PERIOD, "agent"), desk=desk)
    agents = {g["key"]: g for g in found["groups"]}
    assert agents["1"]["queue_wait_median"] == pytest.approx(61.0)
    assert agents["1"]["frt_human_median"] == pytest.approx(121.0)
    assert agents["2"]["queue_wait_median"] == pytest.approx(30.0)
    assert agents["1"]["resolution_median"] == pytest.approx(3600.0)  # wall-clock


async def test_a_night_closed_is_not_waiting_time(database_url: str) -> None:
    """Handed off at 19:55 (Madrid), claimed at 09:05 the next morning and answered at 09:06, with the desk
    open 09:00-20:00: 10 minutes in the queue, 11 to the first answer; the bot's time stays wall-clock."""
    week = {day: ["09:00-20:00"] for day in
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}  # fmt: skip
    desk = hours.parse({"enabled": True, "time_zone": "Europe/Madrid", "week": week})
    async with database(database_url) as sessions:
        async with sessions.begin() as session:
            h = History(session)
            cid = await h.conversation("whatsapp", at("18:55:00"), "open")  # 19:55 in Madrid
            await h.message(cid, "incoming", at("18:55:00"))
            next_day = DAY + timedelta(days=1)
            claimed = at("08:05:00", next_day)
            await h.handoff(cid, "explicit_request", at("18:55:00"), claimed=claimed, agent_id=3)
            await h.message(cid, "outgoing", at("08:06:00", next_day), sender="agent")
        async with sessions() as session:
            dialect = Dialect(session.get_bind().dialect.name)
            clock = open_clock(dialect, desk, start=PERIOD.start, end=PERIOD.end + timedelta(days=2))
            found = await compute(session, PERIOD, group_by="day", open_seconds=clock)
    assert found["total"]["queue_wait_median"] == pytest.approx(600.0)
    assert found["total"]["frt_human_median"] == pytest.approx(660.0)
