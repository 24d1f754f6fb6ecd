"""Drain a conversation's queue: the bot turn's first step, run as the ``process_message(id)`` job.

Each conversation is drained oldest message first, one at a time (hub/serial.py; a Redis lease across
workers); different conversations run concurrently. A message of a conversation the bot owns goes to
the bot (hub/turns/answer.py); of one people own, it is only marked skipped (it was pushed at intake)
and ``message.skipped`` is published.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub import bot_state, status
from hub.bus import EventName, emit
from hub.crud import conversations
from hub.crud import messages as messages_crud
from hub.jobs import JobQueue
from hub.models import Conversation, Message
from hub.turns.answer import to_bot
from hub.turns.deps import TurnDeps

__all__ = ["process_message", "recover"]

log = logging.getLogger("hub.turns")


async def recover(*, sessions: async_sessionmaker[AsyncSession], jobs: JobQueue) -> int:
    """Re-enqueue every message still waiting for the bot (after a crash or restart)."""
    async with sessions() as session:
        ids = await messages_crud.queued_ids(session)
    for message_id in ids:
        await jobs.enqueue(message_id)
    if ids:
        log.info("re-enqueued queued messages", extra={"count": len(ids)})
    return len(ids)


async def process_message(turn: TurnDeps, message_id: int) -> None:
    """The job: drain the conversation the message belongs to."""
    async with turn.db.sessions() as session:
        message = await messages_crud.get(session, message_id=message_id)
    if message is None:
        return
    conversation_id = message.conversation_id

    async def drain() -> None:
        while True:
            async with turn.db.sessions() as session:
                queued = await messages_crud.next_queued(session, conversation_id=conversation_id)
                conversation = await conversations.get(session, conversation_id=conversation_id)
            if queued is None or conversation is None:
                return
            await _route(turn, conversation, queued)

    await turn.serializer.run(conversation_id, drain)


async def _route(turn: TurnDeps, conversation: Conversation, message: Message) -> None:
    if status.is_bot_owned(conversation):
        await to_bot(turn, conversation, message)
        return
    # Humans own the conversation: the message is stored and was pushed at intake.
    async with turn.db.unit_of_work() as uow, uow.transaction() as session:
        skip = sa.update(Message).where(Message.id == message.id, Message.bot_state == bot_state.QUEUED)
        await session.execute(skip.values(bot_state=bot_state.SKIPPED))
        emit(session, EventName.MESSAGE_SKIPPED, conversation_id=conversation.id, message_id=message.id)
