"""The holding sweep (hub/turns/sweep.py) also closes what no drain will: a queued message of a
conversation people own, left behind when its drain never ran (a lost job, a drain lease left in Redis)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from hub.bus import EventName
from hub.models import Conversation, Message, utcnow
from hub.schemas import IncomingMessage
from hub.turns import sweep
from tests.support.domain import Domain, domain_services


async def _left_queued(domain: Domain, *, status: str, seconds_ago: float) -> tuple[int, int]:
    """A customer's message stored in a conversation of ``status``, ``seconds_ago`` old, never drained."""
    source_id, client_id = uuid.uuid4().hex[:8], uuid.uuid4().hex
    incoming = IncomingMessage(channel="api", source_id=source_id, client_message_id=client_id, text="hola?")
    stored = await domain.services.receiver.receive(incoming)  # its drain never runs
    async with domain.services.sessions.begin() as session:
        at = utcnow() - timedelta(seconds=seconds_ago)
        await session.execute(sa.update(Message).where(Message.id == stored.message.id).values(created_at=at))
        await session.execute(
            sa.update(Conversation).where(Conversation.id == stored.conversation.id).values(status=status)
        )
    return stored.conversation.id, stored.message.id


async def _state(domain: Domain, message_id: int) -> str:
    async with domain.services.sessions() as session:
        message = await session.get(Message, message_id)
        assert message is not None
        return message.bot_state


async def test_a_message_left_queued_in_a_conversation_people_own_is_skipped(tmp_path: Path) -> None:
    async with domain_services(tmp_path) as domain:
        old = sweep.ORPHAN_AFTER + 5
        conversation_id, message_id = await _left_queued(domain, status="open", seconds_ago=old)

        assert await sweep.skip_orphans(domain.services.turn_deps()) == 1

        assert await _state(domain, message_id) == "skipped"
        assert EventName.MESSAGE_SKIPPED in domain.names(conversation_id)


async def test_a_fresh_one_is_left_to_its_drain_and_the_bots_own_are_never_skipped(tmp_path: Path) -> None:
    async with domain_services(tmp_path) as domain:
        _, fresh = await _left_queued(domain, status="open", seconds_ago=1)
        _, bots = await _left_queued(domain, status="pending", seconds_ago=sweep.ORPHAN_AFTER + 5)

        await sweep.skip_orphans(domain.services.turn_deps())

        assert await _state(domain, fresh) == "queued"
        assert await _state(domain, bots) == "queued"  # the bot's: held and handed off by the sweep


async def test_one_left_queued_in_a_conversation_that_ended_reopens_it_and_the_bot_answers(
    tmp_path: Path,
) -> None:
    """Not skipped: nobody would answer it (the customer wrote again after the conversation ended)."""
    async with domain_services(tmp_path) as domain:
        old = sweep.ORPHAN_AFTER + 5
        conversation_id, message_id = await _left_queued(domain, status="resolved", seconds_ago=old)

        await sweep.skip_orphans(domain.services.turn_deps())
        for _ in range(200):
            if await _state(domain, message_id) != "queued":
                break
            await asyncio.sleep(0.02)

        assert await _state(domain, message_id) == "done"
        assert domain.said(conversation_id) == ["echo: hola?"]
        async with domain.services.sessions() as session:
            conversation = await session.get(Conversation, conversation_id)
            assert conversation is not None and conversation.status == "pending"
