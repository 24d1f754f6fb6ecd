"""The reports API as a supervisor uses it: the KPIs, the CSV with the same numbers, a drill-down, who may
ask, and bad periods (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from statistics import mean
from typing import Any, get_args

import pytest
from kpi_history import History, build
from reports_testing import Reports
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import ConversationLabel
from kpis import export
from kpis.api import Drill
from kpis.settings import KpiSettings

DEC_1 = {"start": "2026-12-01", "end": "2026-12-01"}


def _nearest_rank(values: list[float], p: float) -> float:
    ordered = sorted(values)
    rank = -(-len(ordered) * int(p * 10) // 10)  # ⌈p·n⌉ for p = 0.5, 0.9
    return ordered[rank - 1]


def _get(reports: Reports, path: str, **params: Any) -> Any:
    response = reports.client.get(path, params=params, headers=reports.supervisor())
    assert response.status_code == 200, response.text
    return response


def test_the_csv_has_the_numbers_of_the_page(reports: Reports) -> None:
    reports.db(build)
    total = _get(reports, "/api/v1/reports/kpis", **DEC_1).json()["total"]
    response = _get(reports, "/api/v1/reports/conversations.csv", **DEC_1)
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert tuple(rows[0]) == export.CSV_COLUMNS
    assert len(rows) == total["conversations"] == 4
    assert sum(int(r["messages"]) for r in rows) == total["messages"]
    assert sum(r["resolved_by"] == "bot" for r in rows) / len(rows) == total["containment"]
    assert sum(bool(r["handoff_reason"]) for r in rows) / len(rows) == total["handoff_rate"]
    human = [int(r["csat"]) for r in rows if r["csat"] and r["csat_human"] == "1"]
    bot = [int(r["csat"]) for r in rows if r["csat"] and r["csat_human"] == "0"]
    assert (mean(human), mean(bot)) == (total["csat_human"], total["csat_bot"])
    nps = [int(r["nps"]) for r in rows if r["nps"]]
    assert 100 * (sum(n >= 9 for n in nps) - sum(n <= 6 for n in nps)) / len(nps) == total["nps"]
    assert sum(r["complaint"] == "1" and not r["resolved_at"] for r in rows) == total["complaints_open"]
    frt = [float(r["frt_bot_s"]) for r in rows if r["frt_bot_s"]]
    assert _nearest_rank(frt, 0.5) == total["frt_bot_median"]
    assert _nearest_rank(frt, 0.9) == total["frt_bot_p90"]
    waits = [float(r["queue_wait_s"]) for r in rows if r["queue_wait_s"]]
    assert _nearest_rank(waits, 0.9) == total["queue_wait_p90"]
    b = next(r for r in rows if r["channel"] == "whatsapp" and r["resolved_at"])
    found = (b["handoff_reason"], b["agent_id"], b["team"], b["csat"], b["nps"])
    assert found == ("complaint", "1", "billing", "2", "3")
    assert b["created_at"] == "2026-12-01T11:00:00Z"


def test_a_number_drills_down_to_its_conversations(reports: Reports) -> None:
    ids = reports.db(build)
    low = _get(reports, "/api/v1/reports/conversations", drill="csat_low", **DEC_1).json()
    assert [row["conversation_id"] for row in low] == [ids["b"]]
    assert low[0]["csat"] == 2
    contained = _get(reports, "/api/v1/reports/conversations", drill="contained", **DEC_1).json()
    assert [row["conversation_id"] for row in contained] == [ids["a"]]
    everything = _get(reports, "/api/v1/reports/conversations", **DEC_1).json()
    assert [row["conversation_id"] for row in everything] == [ids["a"], ids["b"], ids["c"], ids["d"]]
    assert set(get_args(Drill)) == set(export.DRILLS)


def test_the_agents_labels_are_a_column_of_the_rows_and_the_csv(reports: Reports) -> None:
    ids = reports.db(build)

    async def label(session: AsyncSession) -> None:
        for name in ("vip", "reembolso"):
            session.add(ConversationLabel(conversation_id=ids["b"], label=name))

    reports.db(label)
    rows = _get(reports, "/api/v1/reports/conversations", **DEC_1).json()
    assert {row["conversation_id"]: row["labels"] for row in rows} == {
        ids["a"]: None, ids["b"]: "reembolso|vip", ids["c"]: None, ids["d"]: None,
    }  # fmt: skip
    text = _get(reports, "/api/v1/reports/conversations.csv", **DEC_1).text
    table = list(csv.DictReader(io.StringIO(text)))
    assert [row["labels"] for row in table] == ["", "reembolso|vip", "", ""]


def test_grouped_per_week_and_channel(reports: Reports) -> None:
    reports.db(build)
    two_weeks = {"start": "2026-11-23", "end": "2026-12-06"}
    by_day = _get(reports, "/api/v1/reports/kpis", group_by="day", **two_weeks).json()
    days = [(g["key"], g["conversations"]) for g in by_day["groups"]]
    assert days == [("2026-11-30", 1), ("2026-12-01", 4)]
    by_week = _get(reports, "/api/v1/reports/kpis", group_by="week", **two_weeks).json()
    assert [(g["key"], g["conversations"]) for g in by_week["groups"]] == [("2026-11-30", 5)]  # a Monday
    assert by_week["total"]["conversations"] == 5
    whatsapp = _get(reports, "/api/v1/reports/kpis", channel="whatsapp", group_by="channel", **DEC_1).json()
    assert [g["key"] for g in whatsapp["groups"]] == ["whatsapp"]


def test_only_supervisors_read_reports(reports: Reports) -> None:
    for path in ("/api/v1/reports/kpis", "/api/v1/reports/conversations.csv", "/api/v1/reports/definitions"):
        anonymous = reports.client.get(path)
        assert anonymous.status_code == 401, anonymous.text
    agent = reports.agent()
    refused = reports.client.get("/api/v1/reports/kpis", headers=agent)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "supervisor_only"


def test_bad_periods_get_a_clear_422(reports: Reports) -> None:
    headers = reports.supervisor()
    reversed_ = {"start": "2026-12-02", "end": "2026-12-01"}
    backwards = reports.client.get("/api/v1/reports/kpis", params=reversed_, headers=headers)
    assert backwards.status_code == 422
    assert backwards.json()["error"] == {
        "code": "invalid_period",
        "message": "start (2026-12-02) is after end (2026-12-01); send start <= end (YYYY-MM-DD).",
    }
    too_long = reports.client.get("/api/v1/reports/kpis", params={"start": "2020-01-01", "end": "2026-12-01"},
                                  headers=headers)
    assert too_long.status_code == 422 and "400 days" in too_long.json()["error"]["message"]
    for params in ({"start": "yesterday"}, {"group_by": "month"}, {"end": "9999-12-31"}):
        bad = reports.client.get("/api/v1/reports/kpis", params=params, headers=headers)
        assert bad.status_code == 422, (params, bad.text)
        assert bad.json()["error"]["code"] == "invalid_request"
    unknown = reports.client.get("/api/v1/reports/conversations", params={"drill": "all"}, headers=headers)
    assert unknown.status_code == 422


def test_the_definitions_are_listed(reports: Reports) -> None:
    found = _get(reports, "/api/v1/reports/definitions").json()
    containment = next(d for d in found if d["key"] == "containment")
    assert containment == {"key": "containment", "title": "Resueltas por el bot",
                           "title_en": "Resolved by the bot", "unit": "share",
                           "definition": "rows with resolved_by = 'bot' / conversations"}


def test_days_are_the_desks_days_in_its_time_zone(reports: Reports, monkeypatch: pytest.MonkeyPatch) -> None:
    """Madrid is UTC+2 in summer and UTC+1 in winter: a conversation at 22:30 UTC on 2026-07-14 is on the
    15th there, one at 23:30 UTC on 2026-12-14 too; one at 21:30 UTC on 2026-07-14 stays on the 14th. The
    period's dates are Madrid's: asking for the 15th alone finds exactly the two."""

    async def write(session: AsyncSession) -> None:
        h = History(session)
        for when in ("2026-07-14T21:30:00", "2026-07-14T22:30:00", "2026-12-14T23:30:00"):
            await h.conversation("widget", datetime.fromisoformat(when).replace(tzinfo=UTC))

    reports.db(write)
    summer = {"start": "2026-07-14", "end": "2026-07-15", "group_by": "day"}
    utc = _get(reports, "/api/v1/reports/kpis", **summer).json()
    assert [(g["key"], g["conversations"]) for g in utc["groups"]] == [("2026-07-14", 2)]
    monkeypatch.setenv("REPORTS_TIMEZONE", "Europe/Madrid")
    madrid = _get(reports, "/api/v1/reports/kpis", **summer).json()
    assert madrid["period"]["timezone"] == "Europe/Madrid"
    days = [(g["key"], g["conversations"]) for g in madrid["groups"]]
    assert days == [("2026-07-14", 1), ("2026-07-15", 1)]
    dec_15 = {"start": "2026-12-15", "end": "2026-12-15"}
    winter = _get(reports, "/api/v1/reports/kpis", **dec_15, group_by="week").json()
    assert [(g["key"], g["conversations"]) for g in winter["groups"]] == [("2026-12-14", 1)]  # Monday
    rows = _get(reports, "/api/v1/reports/conversations", start="2026-12-15", end="2026-12-15").json()
    assert [r["created_at"] for r in rows] == ["2026-12-14T23:30:00Z"]  # times stay UTC in the rows


def test_an_unknown_time_zone_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTS_TIMEZONE", "Europe/Atlantis")
    with pytest.raises(ValueError, match="unknown time zone"):
        KpiSettings()
