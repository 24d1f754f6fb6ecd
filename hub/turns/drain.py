"""Drain a conversation's queue: the bot turn's first step, run as the ``process_message(id)`` job.

Each conversation is drained oldest message first, one at a time (hub/serial.py; a Redis lease across
workers); different conversations run concurrently. A message of a conversation the bot owns goes to
the bot (hub/turns/answer.py); of one people own, it is only marked skipped (it was pushed at intake)
and ``message.skipped`` is published. A message that came back to a resolved conversation (within
REOPEN_WINDOW_HOURS) is offered to the ``Intercept`` seam (a survey's rating), else it reopens the
conversation for the bot (hub/status.py ``reopen`` by customer).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from hub import bot_state, status
from hub.bus import EventName, emit
from hub.contacts.bot_facts import contact_facts
from hub.crud import messages as messages_crud
from hub.jobs import JobQueue
from hub.models import Contact, Conversation, Message
from hub.seams import Intercept
from hub.turns.answer import to_bot
from hub.turns.ask import hold
from hub.turns.deps import TurnDeps

__all__ = ["process_message", "recover", "skip"]

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


@dataclass(frozen=True)
class _Next:
    """The conversation's oldest message waiting for the bot, as the round's one read found it."""

    message: Message
    conversation: Conversation
    contact: dict[str, Any]  # what the bot is told about the writer (hub/contacts/bot_facts.py)
    first: bool  # the conversation's first customer message (its language is not the conversation's yet)
    intercepted: bool  # the bot intercept waits for it (learning's «¿Te ha servido?»)
    held: bool  # the bot turn's lease was taken with the read (hub/turns/ask.py ``hold``)


_Earlier = aliased(Message)
_FIRST = ~(
    sa.exists()
    .where(
        _Earlier.conversation_id == Message.conversation_id,
        _Earlier.message_type == "incoming",
        _Earlier.id < Message.id,
    )
    .correlate(Message)
)
_NEXT = (
    sa.select(Message, Conversation, Contact, _FIRST)
    .join(Conversation, Conversation.id == Message.conversation_id)
    .join(Contact, Contact.id == Conversation.contact_id)
    .where(Message.conversation_id == sa.bindparam("conversation_id"), Message.bot_state == bot_state.QUEUED)
    .order_by(Message.id)
    .limit(1)
)


class _InterceptFailed(Exception):
    """The bot intercept raised: its transaction is rolled back (a failed statement spoils it)."""


async def _next_queued(turn: TurnDeps, conversation_id: int, *, intercept: bool = True) -> _Next | None:
    """One transaction: the message with its conversation and contact (one statement); for a conversation
    the bot owns, whether the bot intercept waits for it and, when not, the bot turn's lease (an UPDATE
    here instead of a transaction of its own in hub/turns/ask.py). An intercept that fails is logged, and
    the read runs again without it: the bot answers."""
    try:
        async with turn.db.sessions.begin() as session:
            row = (await session.execute(_NEXT, {"conversation_id": conversation_id})).first()
            if row is None:
                return None
            message, conversation, contact, first = row
            bot_owned = status.is_bot_owned(conversation)
            intercepted = bot_owned and intercept and await _waiting_or_raise(turn, session, message)
            free = bot_owned and not intercepted and message.bot_asked_at is None
            held = free and await hold(session, message)
    except _InterceptFailed:
        log.exception("bot intercept failed; the bot answers", extra={"conversation_id": conversation_id})
        return await _next_queued(turn, conversation_id, intercept=False)
    return _Next(message, conversation, contact_facts(contact), bool(first), intercepted, held)


async def _waiting_or_raise(turn: TurnDeps, session: AsyncSession, message: Message) -> bool:
    """The bot intercept waits for this message; one that fails raises :class:`_InterceptFailed`."""
    try:
        return await turn.bot_intercept.waiting(session, conversation_id=message.conversation_id)
    except Exception as exc:
        raise _InterceptFailed from exc


async def _waiting(turn: TurnDeps, session: AsyncSession, message: Message) -> bool:
    """The bot intercept waits for this message; one that fails is logged and the bot answers."""
    try:
        return await _waiting_or_raise(turn, session, message)
    except _InterceptFailed:
        log.exception("bot intercept failed; the bot answers", extra={"message_id": message.id})
        return False


async def process_message(turn: TurnDeps, message_id: int, *, conversation_id: int | None = None) -> None:
    """The job: drain the conversation the message belongs to (looked up unless the job says it)."""
    if conversation_id is None:
        async with turn.db.sessions() as session:
            query = sa.select(Message.conversation_id).where(Message.id == message_id)
            conversation_id = (await session.execute(query)).scalar_one_or_none()
        if conversation_id is None:
            return

    async def drain() -> None:
        while (found := await _next_queued(turn, conversation_id)) is not None:
            if await _route(turn, found) is False:
                return  # the answer's transaction saw nothing else queued (later ones mark the drain)

    await turn.serializer.run(conversation_id, drain)


async def _come_back(turn: TurnDeps, conversation: Conversation, message: Message) -> Conversation | None:
    """A message in a resolved conversation (it came within REOPEN_WINDOW_HOURS): a plug-in takes it
    (a survey's rating: delivered, conversation left resolved; None), or the customer reopens the
    conversation for the bot (event reopened by customer). A plug-in that fails does not keep the
    customer from an answer: logged, and the conversation is reopened."""
    try:
        return await _offer(turn, conversation, message, intercept=turn.intercept)
    except Exception:
        log.exception("intercept failed; the message goes to the bot", extra={"message_id": message.id})
        return await _offer(turn, conversation, message, intercept=None)


async def _offer(
    turn: TurnDeps, conversation: Conversation, message: Message, *, intercept: Intercept | None
) -> Conversation | None:
    async with turn.db.unit_of_work() as uow:
        async with uow.transaction() as session:
            current = await session.get(Conversation, conversation.id, populate_existing=True)
            incoming = await session.get(
                Message, message.id, with_for_update={"key_share": True}, populate_existing=True
            )
            if current is None or incoming is None or incoming.bot_state != bot_state.QUEUED:
                return None
            if not status.is_resolved(current):
                return current  # reopened by an earlier message or an agent meanwhile
            taken = None
            if intercept is not None:
                taken = await intercept.take(session, conversation=current, message=incoming)
            if taken is not None:
                bot_state.move(incoming, bot_state.DONE)
            else:
                await status.reopen(session, conversation=current, by="customer")
        if taken is not None:
            await turn.delivery.deliver(conversation=current, messages=taken)
            return None
        await turn.delivery.publish_status(conversation=current)
    return current


async def _route(turn: TurnDeps, found: _Next) -> bool | None:
    """Handle one queued message; whether another one waits after it (None: not known, look)."""
    conversation, message, intercepted = found.conversation, found.message, found.intercepted
    if status.is_resolved(conversation):
        reopened = await _come_back(turn, conversation, message)
        if reopened is None:
            return None
        conversation = reopened
        if status.is_bot_owned(conversation):
            async with turn.db.sessions() as session:
                intercepted = await _waiting(turn, session, message)
    if status.is_bot_owned(conversation):
        if intercepted and await _taken_before_bot(turn, conversation, message):
            return None
        return await to_bot(
            turn, conversation, message, contact=found.contact, first=found.first, held=found.held
        )
    # Humans own the conversation: the message is stored and was pushed at intake.
    await skip(turn, conversation_id=conversation.id, message_id=message.id)
    return None


async def _taken_before_bot(turn: TurnDeps, conversation: Conversation, message: Message) -> bool:
    """Offer a message of a conversation the bot owns to ``bot_intercept`` (learning: the answer to "¿Te
    ha servido?"), which waits for it: taken, its replies are delivered and the message is done without a
    bot turn (a taker may hand the conversation to people). A taker that fails is logged and the bot
    answers."""
    async with turn.db.unit_of_work() as uow:
        try:
            async with uow.transaction() as session:
                current = await session.get(Conversation, conversation.id, populate_existing=True)
                incoming = await session.get(
                    Message, message.id, with_for_update={"key_share": True}, populate_existing=True
                )
                if current is None or incoming is None or incoming.bot_state != bot_state.QUEUED:
                    return False
                if not status.is_bot_owned(current):
                    return False
                taken = await turn.bot_intercept.take(session, conversation=current, message=incoming)
                if taken is None:
                    return False
                bot_state.move(incoming, bot_state.DONE)
                moved = not status.is_bot_owned(current)
        except Exception:
            log.exception("bot intercept failed; the bot answers", extra={"message_id": message.id})
            return False
        await turn.delivery.deliver(conversation=current, messages=taken)
        if moved:
            await turn.delivery.publish_status(conversation=current)
    return True


async def skip(turn: TurnDeps, *, conversation_id: int, message_id: int) -> None:
    """The bot will not read this message (people own its conversation): ``skipped``, ``message.skipped``."""
    async with turn.db.unit_of_work() as uow, uow.transaction() as session:
        query = sa.update(Message).where(Message.id == message_id, Message.bot_state == bot_state.QUEUED)
        await session.execute(query.values(bot_state=bot_state.SKIPPED))
        emit(session, EventName.MESSAGE_SKIPPED, conversation_id=conversation_id, message_id=message_id)
