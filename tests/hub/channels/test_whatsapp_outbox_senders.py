"""Two hub processes send one WhatsApp outbox: every reply goes out once, each conversation's in order."""

from __future__ import annotations

import asyncio
import itertools
import random
from datetime import datetime
from typing import Any, cast

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.channels import whatsapp_outbox_rows as rows
from hub.channels.graph_client import GraphClient
from hub.channels.whatsapp_outbox import WhatsAppOutbox
from hub.channels.whatsapp_settings import WhatsAppSettings
from hub.db import create_engine, migrate, session_factory
from hub.models import Contact, Conversation, OutboxEntry, utcnow

CUSTOMERS = 6
WAVES = 4  # replies queued while the senders run
PER_WAVE = 3


class RecordingGraph:
    """Takes each send after a random short wait (the Graph API's latency), records it in call order."""

    def __init__(self, sent: list[tuple[int, int]]) -> None:
        self._sent = sent
        self._ids = itertools.count(1)

    async def send(self, payload: dict[str, Any]) -> str:
        self._sent.append((payload["conversation"], payload["seq"]))
        await asyncio.sleep(random.uniform(0, 0.01))
        return f"wamid.{next(self._ids)}.{random.random()}"


async def test_two_senders_send_every_reply_once_and_each_conversation_in_order(database_url: str) -> None:
    engines = [create_engine(database_url) for _ in range(2)]
    await migrate(engines[0])
    sessions = [session_factory(engine) for engine in engines]
    settings = WhatsAppSettings(poll_interval=0.01, send_concurrency=3)  # the sender needs no secrets
    sent: list[tuple[int, int]] = []
    senders = [WhatsAppOutbox(settings, s, cast(GraphClient, RecordingGraph(sent))) for s in sessions]
    async with sessions[0].begin() as session:
        conversations = []
        for i in range(CUSTOMERS):
            contact = Contact(name=f"cliente {i}")
            session.add(contact)
            await session.flush()
            conversation = Conversation(contact_id=contact.id, channel="whatsapp", source_id=f"3460000000{i}")
            session.add(conversation)
            await session.flush()
            conversations.append(conversation.id)
    tasks = [asyncio.create_task(sender.run()) for sender in senders]
    try:
        seq = itertools.count()
        for _wave in range(WAVES):
            async with sessions[0].begin() as session:
                for conversation_id in conversations:
                    for _ in range(PER_WAVE):
                        n = next(seq)
                        session.add(
                            OutboxEntry(
                                channel="whatsapp", kind="message", conversation_id=conversation_id,
                                part=n, payload={"conversation": conversation_id, "seq": n},
                            )
                        )
            for sender in senders:
                sender.wake()
            await asyncio.sleep(0.02)
        async with asyncio.timeout(30):
            while True:
                async with sessions[0]() as session:
                    left = await session.scalar(
                        sa.select(sa.func.count()).where(OutboxEntry.state != "done")
                    )
                if not left:
                    break
                await asyncio.sleep(0.05)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for engine in engines:
            await engine.dispose()

    total = CUSTOMERS * WAVES * PER_WAVE
    assert len(sent) == total, f"{len(sent) - len(set(sent))} sent twice"
    assert len(set(sent)) == total
    for conversation_id in conversations:
        order = [n for c, n in sent if c == conversation_id]
        assert order == sorted(order), f"conversation {conversation_id} out of order: {order}"


async def test_a_reply_waits_while_another_process_sends_the_one_before_it(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race the pass cannot see: it read two due replies of a conversation, and before its claim
    another process claimed the first. The second must not overtake it; it goes back to the queue."""
    engine = create_engine(database_url)
    await migrate(engine)
    sessions = session_factory(engine)
    sent: list[tuple[int, int]] = []
    sender = WhatsAppOutbox(WhatsAppSettings(), sessions, cast(GraphClient, RecordingGraph(sent)))
    try:
        async with sessions.begin() as session:
            contact = Contact(name="cliente")
            session.add(contact)
            await session.flush()
            conversation = Conversation(contact_id=contact.id, channel="whatsapp", source_id="34600000009")
            session.add(conversation)
            await session.flush()
            entries = [
                OutboxEntry(
                    channel="whatsapp", kind="message", conversation_id=conversation.id, part=n,
                    payload={"conversation": conversation.id, "seq": n},
                )
                for n in range(2)
            ]
            session.add_all(entries)
        async with sessions() as session:
            seen = await rows.due(session, utcnow(), 10)  # what the pass read
        async with sessions.begin() as session:  # the other process's claim of the first reply
            await rows.claim(session, seen[:1], utcnow())

        async def stale(_session: AsyncSession, _now: datetime, _limit: int) -> list[rows.Row]:
            return seen

        monkeypatch.setattr(rows, "due", stale)
        assert await sender.dispatch() == 0
        assert sent == []
        async with sessions() as session:
            second = await session.get(OutboxEntry, entries[1].id)
            assert second is not None
            assert (second.state, second.attempts) == ("pending", 0)
            assert second.next_attempt_at <= utcnow()  # given back: due again, not a minute later
    finally:
        await engine.dispose()
