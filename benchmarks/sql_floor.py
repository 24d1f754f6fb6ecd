"""The CPU floor of the hub's SQL: one bot answer's transaction three ways, on PostgreSQL.

    .venv/bin/python -m benchmarks.sql_floor [--transactions 400] [--rounds 3]

Creates its own PostgreSQL database (127.0.0.1:5432, migrated by the hub's Alembic), one customer
message in it, and times, in this process, the CPU of the answer's transaction shape
(hub/turns/answer.py ``_store_answer``: the conversation and the message read with the message locked,
the turn policy's history read, the message's UPDATE, two INSERTs; BEGIN and COMMIT) done:

- **hub sessions + ORM**: as the hub does it (its ``Sessions``, the locked read as ORM entities, the
  UPDATE as a unit-of-work flush, the rest Core statements on the session's connection);
- **SQLAlchemy Core**: the same statements on an ``AsyncConnection``, rows instead of entities;
- **asyncpg**: the same SQL on the pool's asyncpg connection, no SQLAlchemy in between (the floor
  of any Python hub on this driver);
- **empty transactions** (BEGIN; SELECT 1; COMMIT), from the hub's sessions down to asyncpg on a
  connection already checked out: what a transaction costs before its statements, layer by layer.

Medians of ``--rounds`` rounds of ``--transactions`` each, the variants interleaved per round; the
process's own CPU (PostgreSQL's is not counted). Prints a markdown table (docs/benchmarks/capacity.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.db import create_engine, migrate, session_factory
from hub.models import Contact, Conversation, Event, Message

__all__ = ["main"]

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
STATEMENTS = 5  # per transaction, BEGIN and COMMIT not counted
ORM, CORE, RAW = "hub sessions + ORM (as the hub)", "SQLAlchemy Core", "asyncpg, no SQLAlchemy"

_M = cast(sa.Table, Message.__table__)
_C = cast(sa.Table, Conversation.__table__)
_E = cast(sa.Table, Event.__table__)
_CONTACTS = cast(sa.Table, Contact.__table__)
_LOCKED_ORM = (
    sa.select(Conversation, Message)
    .join(Message, Message.conversation_id == Conversation.id)
    .where(Conversation.id == sa.bindparam("c"), Message.id == sa.bindparam("m"))
    .with_for_update(key_share=True, of=Message)
    .execution_options(populate_existing=True)
)
_LOCKED_CORE = (
    sa.select(_C.c.id, _C.c.status, _C.c.channel, _M.c.id, _M.c.bot_state, _M.c.context)
    .join(_M, _M.c.conversation_id == _C.c.id)
    .where(_C.c.id == sa.bindparam("c"), _M.c.id == sa.bindparam("m"))
    .with_for_update(key_share=True, of=_M)
)
_HISTORY = (
    sa.select(_M.c.text, _M.c.context)
    .where(_M.c.conversation_id == sa.bindparam("c"))
    .order_by(_M.c.id.desc())
    .limit(6)
)
_ONE = sa.text("SELECT 1")
_UPDATE = sa.update(_M).where(_M.c.id == sa.bindparam("mid")).values(language=sa.bindparam("lang"))
_EVENT = sa.insert(_E).values(conversation_id=sa.bindparam("c"), kind="sql_floor", created_at=sa.func.now())
_RAW = (
    "SELECT c.id, c.status, c.channel, m.id, m.bot_state, m.context FROM conversations c"
    " JOIN messages m ON m.conversation_id = c.id WHERE c.id = $1 AND m.id = $2 FOR KEY SHARE OF m",
    "SELECT text, context FROM messages WHERE conversation_id = $1 ORDER BY id DESC LIMIT 6",
    "UPDATE messages SET language = $1 WHERE id = $2",
    "INSERT INTO events (conversation_id, kind, created_at) VALUES ($1, 'sql_floor', now())",
)


async def _driver(connection: AsyncConnection) -> Any:
    """The asyncpg connection under a checked-out SQLAlchemy connection."""
    driver = (await connection.get_raw_connection()).driver_connection
    if driver is None:
        raise RuntimeError("no driver connection")
    return driver


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _seed(engine: Any) -> tuple[int, int]:
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        contact = (
            await conn.execute(sa.insert(_CONTACTS).values(created_at=now).returning(_CONTACTS.c.id))
        ).scalar_one()
        conversation = (
            await conn.execute(
                sa.insert(_C)
                .values(
                    contact_id=contact,
                    channel="api",
                    source_id="sql-floor",
                    status="pending",
                    created_at=now,
                    updated_at=now,
                )
                .returning(_C.c.id)
            )
        ).scalar_one()
        message = (
            await conn.execute(
                sa.insert(_M)
                .values(
                    conversation_id=conversation,
                    contact_id=contact,
                    channel="api",
                    message_type="incoming",
                    sender_type="contact",
                    text="¿dnd esta mi pedido?",
                    status="received",
                    bot_state="queued",
                    created_at=now,
                )
                .returning(_M.c.id)
            )
        ).scalar_one()
    return conversation, message


async def _run(url: str, transactions: int, rounds: int) -> dict[str, list[float]]:
    engine = create_engine(url)
    await migrate(engine)
    sessions = session_factory(engine)
    cid, mid = await _seed(engine)

    async def orm() -> None:
        async with sessions.begin() as session:
            _conversation, message = (await session.execute(_LOCKED_ORM, {"c": cid, "m": mid})).one()
            (await session.execute(_HISTORY, {"c": cid})).all()
            message.language = "es"
            await session.flush()
            connection = await session.connection()
            await connection.execute(_EVENT, {"c": cid})
            await connection.execute(_EVENT, {"c": cid})

    async def core() -> None:
        async with engine.begin() as connection:
            (await connection.execute(_LOCKED_CORE, {"c": cid, "m": mid})).one()
            (await connection.execute(_HISTORY, {"c": cid})).all()
            await connection.execute(_UPDATE, {"mid": mid, "lang": "es"})
            await connection.execute(_EVENT, {"c": cid})
            await connection.execute(_EVENT, {"c": cid})

    async def raw() -> None:
        async with engine.connect() as connection:
            driver = await _driver(connection)
            async with driver.transaction():
                await driver.fetchrow(_RAW[0], cid, mid)
                await driver.fetch(_RAW[1], cid)
                await driver.execute(_RAW[2], "es", mid)
                await driver.execute(_RAW[3], cid)
                await driver.execute(_RAW[3], cid)

    async def empty() -> None:
        async with sessions.begin() as session:
            await session.execute(_ONE)

    async def empty_core() -> None:
        async with engine.begin() as connection:
            await connection.execute(_ONE)

    async def empty_pooled() -> None:
        async with engine.connect() as connection:
            driver = await _driver(connection)
            async with driver.transaction():
                await driver.fetchval("SELECT 1")

    held = await engine.connect()
    held_driver = await _driver(held)

    async def empty_held() -> None:
        async with held_driver.transaction():
            await held_driver.fetchval("SELECT 1")

    async def one_statement() -> None:
        await held_driver.fetchval("SELECT 1")

    variants: dict[str, Callable[[], Awaitable[None]]] = {
        ORM: orm,
        CORE: core,
        RAW: raw,
        "empty transaction (SELECT 1): hub sessions": empty,
        "empty transaction: SQLAlchemy Core (engine.begin)": empty_core,
        "empty transaction: asyncpg on a pool checkout": empty_pooled,
        "empty transaction: asyncpg on a held connection": empty_held,
        "SELECT 1 alone: asyncpg, no transaction": one_statement,
    }
    results: dict[str, list[float]] = {name: [] for name in variants}
    wall: dict[str, list[float]] = {name: [] for name in variants}
    try:
        for _ in range(rounds):
            for name, variant in variants.items():
                for _ in range(30):  # warm: statement caches, prepared statements
                    await variant()
                started, clock = _cpu(), time.perf_counter()
                for _ in range(transactions):
                    await variant()
                results[name].append(1000 * (_cpu() - started) / transactions)
                wall[name].append(1000 * (time.perf_counter() - clock) / transactions)
    finally:
        await held.close()
        await engine.dispose()
    return {**results, **{f"wall {k}": v for k, v in wall.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--transactions", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    name = f"sql_floor_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    try:
        import uvloop

        results = uvloop.run(_run(url, args.transactions, args.rounds))
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    base = statistics.median(results[RAW])
    print(
        f"\n{args.rounds} rounds of {args.transactions} transactions ({STATEMENTS} statements in the first "
        f"three); load average {os.getloadavg()[0]:.1f}; {platform.processor() or platform.machine()}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
    )
    print("| transaction | CPU ms (median) | rounds | vs asyncpg | wall ms |")
    print("|---|---:|---|---:|---:|")
    for label, runs in results.items():
        if label.startswith("wall "):
            continue
        each = ", ".join(f"{r:.2f}" for r in runs)
        median = statistics.median(runs)
        wall = statistics.median(results["wall " + label])
        print(f"| {label} | {median:.2f} | {each} | {median / base:.1f}x | {wall:.2f} |")


if __name__ == "__main__":
    main()
