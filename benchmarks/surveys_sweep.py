"""``python -m benchmarks.surveys_sweep [--runs 7]``: the surveys' silence sweep on a busy desk (PostgreSQL).

Creates a throw-away database on BENCH_POSTGRES_URL (default: the local server), migrates it and fills it
with PostgreSQL's generate_series: 100,000 conversations (half resolved, a quarter pending with the bot's
answer last, half of those silent for more than 30 minutes, a quarter open) and 1,000,000 messages. Then
times, median of ``--runs``, the statement that finds silent bot conversations (surveys/ending.py
``resolve_silent``, one batch of 200; resolving them is left out), prints a Markdown table
(docs/surveys.md) and drops the database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid

import psycopg
import sqlalchemy as sa

from hub.bus import Database, EventBus
from hub.db import create_engine, migrate, session_factory
from hub.delivery import Delivery
from surveys.ending import Ending
from surveys.settings import SurveySettings

CONVERSATIONS = 100_000
MESSAGES_EACH = 10

_FILL = [
    """INSERT INTO contacts (id, created_at, email_verified, phone_verified)
       SELECT g, now(), false, false FROM generate_series(1, :n) g""",
    """INSERT INTO conversations (id, contact_id, channel, source_id, status, language, created_at,
                                  updated_at, resolved_at)
       SELECT g, g, 'api', 's' || g,
              CASE WHEN g % 4 IN (0, 1) THEN 'resolved' WHEN g % 4 = 2 THEN 'pending' ELSE 'open' END, 'es',
              now() - (g % 120) * interval '1 minute', now() - (g % 120) * interval '1 minute',
              CASE WHEN g % 4 IN (0, 1) THEN now() END
       FROM generate_series(1, :n) g""",
    """INSERT INTO messages (conversation_id, contact_id, channel, message_type, sender_type, text, status,
                             bot_attempts, created_at)
       SELECT c, c, 'api', CASE WHEN k % 2 = 0 THEN 'incoming' ELSE 'outgoing' END,
              CASE WHEN k % 2 = 0 THEN 'contact' ELSE 'bot' END, 'x', 'sent', 0,
              now() - (c % 120) * interval '1 minute' + k * interval '1 second'
       FROM generate_series(1, :n) c, generate_series(0, :m - 1) k""",
    "ANALYZE",
]


async def _measure(url: str, runs: int) -> tuple[int, list[float]]:
    engine = create_engine(url, pool_size=2, pool_timeout=5)
    try:
        await migrate(engine)
        async with engine.begin() as connection:
            for statement in _FILL:
                await connection.execute(sa.text(statement), {"n": CONVERSATIONS, "m": MESSAGES_EACH})
        sessions = session_factory(engine)
        delivery = Delivery(sessions=sessions, broadcast=None, channels={})  # type: ignore[arg-type]
        ending = Ending(db=Database(sessions, EventBus()), delivery=delivery, settings=SurveySettings())
        found: list[int] = []

        async def count_only(conversation_id: int, *, why: str, last_id: int | None) -> bool:
            found.append(conversation_id)
            return False

        ending._resolve = count_only  # type: ignore[method-assign]
        times = []
        for _ in range(runs):
            found.clear()
            started = time.perf_counter()
            await ending.resolve_silent()
            times.append(time.perf_counter() - started)
        return len(found), times
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    server = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = "surveys_bench_" + uuid.uuid4().hex[:6]
    admin = psycopg.connect(server, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    try:
        found, times = asyncio.run(_measure(url, args.runs))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    ms = sorted(t * 1000 for t in times)
    print("| conversations | messages | pending | found (batch) | median ms | min–max ms | runs |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {CONVERSATIONS:,} | {CONVERSATIONS * MESSAGES_EACH:,} | {CONVERSATIONS // 4:,} | {found} (200) "
        f"| {statistics.median(ms):.1f} | {ms[0]:.1f}–{ms[-1]:.1f} | {len(ms)} |"
    )


if __name__ == "__main__":
    main()
