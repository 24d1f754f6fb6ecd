"""After a load run: read the hub's database and count what was stored and answered.

Only this run's messages count (their client message ids start with the run id), so the check
also works against a PostgreSQL database other runs have used.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from hub.db import create_engine, session_factory
from hub.models import Message, OutboxEntry

__all__ = ["Stored", "read_stored", "wait_drained"]


@dataclass
class Stored:
    """One channel's incoming messages of the run and what became of them."""

    rows: Counter[str] = field(default_factory=Counter)  # client message id -> incoming rows
    bot_states: Counter[str] = field(default_factory=Counter)
    answers: Counter[str] = field(default_factory=Counter)  # client message id -> bot replies
    outbox_states: Counter[str] = field(default_factory=Counter)  # whatsapp rows by kind:state


def _ours(channel: str, prefix: str) -> sa.ColumnElement[bool]:
    return sa.and_(
        Message.channel == channel,
        Message.message_type == "incoming",
        Message.client_message_id.like(f"{prefix}%"),
    )


async def _pending(url: str, prefixes: dict[str, str]) -> int:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            left = 0
            for channel, prefix in prefixes.items():
                ours = sa.select(Message.conversation_id).where(_ours(channel, prefix))
                left += await session.scalar(
                    sa.select(sa.func.count()).where(_ours(channel, prefix), Message.bot_state == "queued")
                ) or 0
                left += await session.scalar(
                    sa.select(sa.func.count()).where(
                        OutboxEntry.state == "pending", OutboxEntry.conversation_id.in_(ours)
                    )
                ) or 0
            return left
    finally:
        await engine.dispose()


async def wait_drained(url: str, prefixes: dict[str, str], timeout: float) -> int:
    """Wait until no message of the run waits for the bot or the outbox; what is left at the end."""
    deadline = time.monotonic() + timeout
    while (left := await _pending(url, prefixes)) and time.monotonic() < deadline:
        await asyncio.sleep(1.0)
    return left


async def read_stored(url: str, channel: str, prefix: str) -> Stored:
    stored = Stored()
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            incoming = (
                await session.execute(
                    sa.select(Message.id, Message.client_message_id, Message.bot_state).where(
                        _ours(channel, prefix)
                    )
                )
            ).all()
            client_ids = {row.id: row.client_message_id for row in incoming}
            for row in incoming:
                stored.rows[row.client_message_id] += 1
                stored.bot_states[row.bot_state or "none"] += 1
            replies = (
                await session.execute(
                    sa.select(Message.in_reply_to_id).where(
                        Message.message_type == "outgoing",
                        Message.in_reply_to_id.in_(sa.select(Message.id).where(_ours(channel, prefix))),
                    )
                )
            ).scalars()
            for reply_to in replies:
                stored.answers[client_ids[reply_to]] += 1
            ours = sa.select(Message.conversation_id).where(_ours(channel, prefix))
            outbox = await session.execute(
                sa.select(OutboxEntry.kind, OutboxEntry.state, sa.func.count())
                .where(OutboxEntry.conversation_id.in_(ours))
                .group_by(OutboxEntry.kind, OutboxEntry.state)
            )
            for kind, state, count in outbox.all():
                stored.outbox_states[f"{kind}:{state}"] = count
    finally:
        await engine.dispose()
    return stored
