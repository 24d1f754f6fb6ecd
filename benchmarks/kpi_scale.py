"""``python -m benchmarks.kpi_scale [--runs 5]``: the KPIs of a busy desk's month on PostgreSQL.

Creates the database ``kpi_bench`` on BENCH_POSTGRES_URL (default: the local server), migrates it, fills
November 2026 with a synthetic busy desk written by PostgreSQL itself (generate_series): 100,000
conversations (widget, WhatsApp, API), 1,000,000 messages (5 incoming with the knowledge base's decision,
4 bot replies, an agent's for the 30% handed off), 30,000 handoffs (5 reasons, 3 teams, 20 agents, 1 in 30
abandoned) and ~0.9 M events (bot_replied per incoming message, status changes, handoffs, assignments,
resolutions, reopenings, CSAT and NPS surveys). Then it times, median of ``--runs``, what the reports API
runs (kpis/definitions.py ``compute``; kpis/export.py for the CSV) for the month, prints a Markdown table
(docs/benchmarks/kpis.md) and drops the database.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff import hours
from hub.db import create_engine, migrate
from kpis.business import open_clock
from kpis.definitions import compute
from kpis.export import as_csv, conversations
from kpis.facts import Filters
from kpis.sql import Dialect

__all__ = ["main"]

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
NAME = "kpi_bench"
MONTH = Filters(start=datetime(2026, 11, 1, tzinfo=UTC), end=datetime(2026, 12, 1, tzinfo=UTC))

#: The synthetic month, written by PostgreSQL (one statement per table).
FILL = """
INSERT INTO contacts (id, created_at, email_verified, phone_verified)
SELECT c, timestamptz '2026-11-01' + (c - 1) * interval '25.92 seconds', false, false
FROM generate_series(1, 100000) c;

INSERT INTO conversations (id, contact_id, channel, source_id, status, language, created_at, updated_at)
SELECT c, c, (ARRAY['widget', 'whatsapp', 'api'])[c % 3 + 1], 's' || c, 'resolved', 'es',
       timestamptz '2026-11-01' + (c - 1) * interval '25.92 seconds',
       timestamptz '2026-11-01' + (c - 1) * interval '25.92 seconds'
FROM generate_series(1, 100000) c;

INSERT INTO messages (conversation_id, contact_id, channel, message_type, sender_type, text, status,
                      bot_state, bot_attempts, context, created_at)
SELECT c, c, (ARRAY['widget', 'whatsapp', 'api'])[c % 3 + 1],
       CASE WHEN k % 2 = 0 THEN 'incoming' ELSE 'outgoing' END,
       CASE WHEN k % 2 = 0 THEN 'contact' WHEN c % 10 < 3 AND k = 9 THEN 'agent' ELSE 'bot' END,
       'texto', CASE WHEN k % 2 = 0 THEN 'received' ELSE 'sent' END,
       CASE WHEN k % 2 = 0 THEN 'done' END, 0,
       CASE WHEN k % 2 = 0 THEN jsonb_build_object('kb', jsonb_build_object('decision',
            CASE WHEN (c + k) % 10 < 7 THEN 'answer' WHEN (c + k) % 10 < 9 THEN 'clarify' ELSE 'handoff' END))
       END,
       timestamptz '2026-11-01' + (c - 1) * interval '25.92 seconds' + k * interval '20 seconds'
         + (c % 7) * interval '1 second'
FROM generate_series(1, 100000) c CROSS JOIN generate_series(0, 9) k;

INSERT INTO handoffs (conversation_id, reason, requested_at, claimed_at, agent_id, skill, state, priority,
                      ended_at, ended_reason)
SELECT c, (ARRAY['complaint', 'explicit_request', 'nlu_fallback', 'kb_no_answer', 'frustration'])[c % 5 + 1],
       timestamptz '2026-11-01' + (c - 1) * interval '25.92 seconds' + interval '90 seconds',
       CASE WHEN c % 30 <> 0 THEN timestamptz '2026-11-01' + (c - 1) * interval '25.92 seconds'
            + interval '90 seconds' + (c % 600) * interval '1 second' END,
       CASE WHEN c % 30 <> 0 THEN c / 10 % 20 + 1 END, (ARRAY['billing', 'orders', NULL])[c / 10 % 3 + 1],
       'ended', 1, timestamptz '2026-11-01' + (c - 1) * interval '25.92 seconds' + interval '1 hour',
       CASE WHEN c % 30 = 0 THEN 'abandoned' ELSE 'resolved' END
FROM generate_series(1, 100000) c WHERE c % 10 < 3;

INSERT INTO events (conversation_id, message_id, kind, data, created_at)
SELECT m.conversation_id, m.id, 'bot_replied', jsonb_build_object('latency_ms', 800, 'replies', 1),
       m.created_at + interval '2 seconds'
FROM messages m WHERE m.message_type = 'incoming';

INSERT INTO events (conversation_id, kind, data, created_at)
SELECT h.conversation_id, kind, data, h.requested_at
FROM handoffs h, LATERAL (VALUES
    ('bot_handoff', jsonb_build_object('reason', h.reason, 'handoff_id', h.id)),
    ('status_changed', jsonb_build_object('from', 'pending', 'to', 'open', 'cause', 'bot_handoff'))
) AS e(kind, data)
UNION ALL
SELECT h.conversation_id, 'agent_assigned', jsonb_build_object('agent_id', h.agent_id, 'handoff_id', h.id),
       h.claimed_at
FROM handoffs h WHERE h.claimed_at IS NOT NULL
UNION ALL
SELECT h.conversation_id, 'handoff_abandoned', jsonb_build_object('handoff_id', h.id, 'waited_seconds', 600),
       h.requested_at + interval '10 minutes'
FROM handoffs h WHERE h.claimed_at IS NULL;

INSERT INTO events (conversation_id, kind, data, created_at)
SELECT c.id, e.kind, e.data, c.created_at + interval '30 minutes' + (c.id % 3600) * interval '1 second'
FROM conversations c, LATERAL (VALUES
    ('status_changed', jsonb_build_object('from', 'open', 'to', 'resolved', 'cause', 'agent')),
    ('resolved', jsonb_build_object('by', CASE WHEN c.id % 10 >= 3 THEN 'bot' WHEN c.id % 30 = 0
                                               THEN 'abandoned' ELSE 'agent' END))
) AS e(kind, data)
WHERE c.id % 20 <> 1
UNION ALL
SELECT c.id, 'reopened', jsonb_build_object('by', 'customer'), c.created_at + interval '2 days'
FROM conversations c WHERE c.id % 20 = 0
UNION ALL
SELECT c.id, 'survey_sent', jsonb_build_object('kind', s.kind), c.created_at + interval '31 minutes'
FROM conversations c, (VALUES ('csat'), ('nps')) AS s(kind)
WHERE c.id % 5 < 2 AND (s.kind = 'csat' OR c.id % 10 = 0)
UNION ALL
SELECT c.id, 'survey_answered',
       jsonb_build_object('kind', s.kind,
                          'score', CASE WHEN s.kind = 'csat' THEN c.id / 5 % 5 + 1 ELSE c.id / 10 % 11 END,
                          'human', c.id % 10 < 3, 'channel', c.channel),
       c.created_at + interval '32 minutes'
FROM conversations c, (VALUES ('csat'), ('nps')) AS s(kind)
WHERE c.id % 5 = 0 AND (s.kind = 'csat' OR c.id % 10 = 0);

SELECT setval(pg_get_serial_sequence('contacts', 'id'), 100000);
SELECT setval(pg_get_serial_sequence('conversations', 'id'), 100000);
ANALYZE;
"""


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a local process (the PostgreSQL backend), None if it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _cpu(session: AsyncSession, runs: int, fn: Callable[[], Awaitable[Any]]) -> float | None:
    """Median CPU seconds the database spends on ``fn`` with no parallel workers (one core does all of it):
    what the report costs whatever else the machine runs."""
    await session.execute(sa.text("SET max_parallel_workers_per_gather = 0"))
    pid = int(await session.scalar(sa.text("SELECT pg_backend_pid()")) or 0)
    spent = []
    for _ in range(runs):
        before = _cpu_seconds(pid)
        await fn()
        after = _cpu_seconds(pid)
        if before is None or after is None:
            return None
        spent.append(after - before)
    await session.execute(sa.text("RESET max_parallel_workers_per_gather"))
    return statistics.median(spent)


def _conninfo(url: str, database: str) -> str:
    return make_url(url).set(drivername="postgresql", database=database).render_as_string(hide_password=False)


async def _median(runs: int, fn: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = await fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


async def _measure(url: str, runs: int, fill: bool) -> list[tuple[str, float, str]]:
    engine = create_engine(url)
    await migrate(engine)
    with psycopg.connect(_conninfo(url, make_url(url).database or NAME), autocommit=True) as conn:
        started = time.perf_counter()
        if fill:
            conn.execute(FILL)
        filled = time.perf_counter() - started
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
                  for t in ("conversations", "messages", "handoffs", "events")}  # fmt: skip
    print(f"filled in {filled:.0f} s: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    dialect = Dialect("postgresql")
    always = open_clock(dialect, hours.parse(None), start=MONTH.start, end=MONTH.end)
    days = ("monday", "tuesday", "wednesday", "thursday", "friday")
    week = {day: ["09:00-14:00", "16:00-20:00"] for day in days}
    desk = hours.parse({"enabled": True, "time_zone": "Europe/Madrid", "week": week})
    office = open_clock(dialect, desk, start=MONTH.start, end=MONTH.end + timedelta(days=3))
    rows: list[tuple[str, float, str]] = []

    async def kpis(session: AsyncSession, group_by: str, clock: Any) -> dict[str, Any]:
        return await compute(session, MONTH, group_by=group_by, open_seconds=clock)

    async with sessions() as session:
        cpu = await _cpu(session, runs, lambda: kpis(session, "day", always))
        if cpu is not None:
            what = "KPIs per day: CPU time of PostgreSQL (no parallel workers)"
            rows.append((what, cpu, "one core: what the report costs whatever the load"))
        for group_by in ("day", "week", "channel", "team", "agent"):
            took, found = await _median(runs, functools.partial(kpis, session, group_by, always))
            total = found["total"]
            note = (f"{total['conversations']:,} conversations, {len(found['groups'])} groups, "
                    f"containment {total['containment']:.3f}, CSAT human {total['csat_human']:.2f}, "
                    f"NPS {total['nps']:.1f}")  # fmt: skip
            rows.append((f"KPIs per {group_by}", took, note))
        took, found = await _median(runs, lambda: kpis(session, "day", office))
        rows.append(("KPIs per day, business hours on (Mon-Fri 9-14, 16-20 Madrid)", took,
                     f"queue wait p90 {found['total']['queue_wait_p90']:.0f} s (open seconds)"))
        whatsapp = Filters(start=MONTH.start, end=MONTH.end, channel="whatsapp", team="billing")
        took, found = await _median(
            runs, lambda: compute(session, whatsapp, group_by="agent", open_seconds=always)
        )
        rows.append(("KPIs per agent, channel whatsapp + team billing", took,
                     f"{found['total']['conversations']:,} conversations"))

        async def export() -> str:
            return as_csv(await conversations(session, MONTH, open_seconds=always))

        took, text = await _median(max(1, runs // 2), export)
        size = f"{text.count(chr(10)) - 1:,} rows, {len(text) / 1e6:.1f} MB"
        rows.append(("CSV export of the month", took, size))

        async def drill() -> Any:
            return await conversations(session, MONTH, open_seconds=always, drill="csat_low", limit=500)

        took, found = await _median(runs, drill)
        rows.append(("drill-down CSAT <= 2 (first 500)", took, f"{len(found)} rows"))
    await engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the filled database")
    args = parser.parse_args()
    base = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_URL)
    load = os.getloadavg()[0]
    with psycopg.connect(_conninfo(base, make_url(base).database or "postgres"), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (NAME,)).fetchone()
        fill = not (args.keep and exists)
        if fill:
            admin.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{NAME}"')
        try:
            url = make_url(base).set(database=NAME).render_as_string(hide_password=False)
            rows = asyncio.run(_measure(url, args.runs, fill))
        finally:
            if not args.keep:
                admin.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
    end_load = os.getloadavg()[0]
    loads = f"load average {load:.1f} at the start, {end_load:.1f} at the end, {os.cpu_count()} cores"
    print(f"\n{loads}")
    print(f"\n| what (November 2026, PostgreSQL, median of {args.runs}) | seconds | result |")
    print("|---|---:|---|")
    for what, took, note in rows:
        print(f"| {what} | {took:.2f} | {note} |")


if __name__ == "__main__":
    main()
