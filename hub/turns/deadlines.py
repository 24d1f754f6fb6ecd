"""While Rasa is slow or down: hold the customer, and in the end hand them to a person.

Both clocks run from the moment the message was received (its ``created_at``), not from when a worker
took it: under load a message may wait for a free worker, and a restart must not reset them.
:func:`wait` runs the turn's Rasa call (hub/turns/ask.py) (with its own retries) alongside two timers:

- ``BOT_HOLDING_AFTER`` s after the message arrived, one holding activity message ("Un momento, por
  favor...") in the customer's language (a message taken later than that: after one more second without
  an answer, so the messages queued during an outage are answered without one each). At most
  one per message, and none while the conversation's latest outgoing/activity message is already a
  holding message (the customer had no answer since): a customer who writes three times during an
  outage, or a hub restarted mid-outage, gets one, not three.
- ``BOT_HANDOFF_AFTER`` s after the message arrived, the Rasa call is cancelled and the conversation
  is handed to a person through the turn policy (hub/seams.py) with reason ``bot_unavailable``; the
  message becomes ``bot_state = skipped`` and so do the conversation's later queued ones
  (hub/turns/drain.py skips messages of an open conversation). A message already past it when a worker
  takes it goes to a person at once, without asking Rasa; one near it gets only the time left.

Rasa answering before the give-up time wins: the answer is stored and delivered normally.
hub/turns/sweep.py does the same for messages no worker has taken yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub import bot_state, status
from hub.bot import BotReply
from hub.bus import EventName, emit
from hub.crud import conversations, events
from hub.crud import messages as messages_crud
from hub.models import Conversation, Message, utcnow
from hub.seams import Decision
from hub.turns.backlog import rounded_wait
from hub.turns.deps import TurnDeps

__all__ = [
    "BOT_BUSY",
    "BOT_UNAVAILABLE",
    "Outcome",
    "adopt_language",
    "give_up",
    "hold",
    "holding_text",
    "wait",
]

log = logging.getLogger(__name__)

#: Seconds Rasa gets before the holding message for a message taken past its holding time.
_SPARE = 1.0

#: One hold() at a time per event loop (the drain's timer and the sweeper never both send one).
_hold_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()

#: Handoff reason when Rasa did not answer within BOT_HANDOFF_AFTER seconds.
BOT_UNAVAILABLE = "bot_unavailable"

#: Handoff reason when Rasa answers, but too many customers are ahead to answer this one in time.
BOT_BUSY = "bot_busy"

_HOLDING_TEXT = {
    "es": (
        "Un momento, por favor: estamos tardando un poco más de lo normal en responder. "
        "Tu mensaje nos ha llegado y te contestamos enseguida."
    ),
    "en": (
        "One moment, please: we are taking a little longer than usual to answer. "
        "We have your message and will reply shortly."
    ),
}


_BUSY_TEXT = {
    "es": (
        "Ahora mismo nos escribe mucha gente a la vez. Tu mensaje nos ha llegado y te respondemos en "
        "cuanto sea tu turno, en unos {seconds} segundos."
    ),
    "en": (
        "A lot of people are writing to us right now. We have your message and will answer it when "
        "your turn comes, in about {seconds} seconds."
    ),
}


def holding_text(language: str, *, eta: float | None = None) -> str:
    """The holding message; with ``eta`` (past capacity, hub/turns/backlog.py) it says how long."""
    if eta is None:
        return _HOLDING_TEXT.get(language, _HOLDING_TEXT["es"])
    busy = _BUSY_TEXT.get(language, _BUSY_TEXT["es"])
    return busy.format(seconds=rounded_wait(eta))


@dataclass(frozen=True)
class Outcome:
    """Rasa's replies (None: Rasa kept rejecting the message), or handed to a person instead."""

    replies: list[BotReply] | None
    handed_off: bool = False


async def adopt_language(
    session: AsyncSession, conversation: Conversation, incoming: Message, lang: str
) -> None:
    """The turn's language becomes the conversation's (event ``language_changed`` when it changes)."""
    if lang != conversation.language:
        await events.record(
            session,
            conversation_id=conversation.id,
            kind="language_changed",
            message_id=incoming.id,
            data={"from": conversation.language, "to": lang},
        )
        conversation.language = lang
    incoming.language = lang


async def _latest_reply(session: AsyncSession, conversation_id: int) -> Message | None:
    """The conversation's newest outgoing or activity message."""
    query = (
        sa.select(Message)
        .where(Message.conversation_id == conversation_id, Message.message_type != "incoming")
        .order_by(Message.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def _waiting(
    session: AsyncSession, conversation_id: int, message_id: int, *, lock: bool = False
) -> tuple[Conversation, Message] | None:
    """The conversation and message if the bot still owns both (pending, queued).

    ``lock``: the message row is locked (PostgreSQL), so a worker storing Rasa's answer to it at the
    same moment (hub/turns/answer.py) waits and then finds it skipped, or the other way round.
    """
    conversation = await conversations.get(session, conversation_id=conversation_id)
    if lock:
        incoming = await session.get(Message, message_id, with_for_update=True, populate_existing=True)
    else:
        incoming = await messages_crud.get(session, message_id=message_id)
    if conversation is None or incoming is None:
        return None
    if not status.is_bot_owned(conversation) or incoming.bot_state != bot_state.QUEUED:
        return None
    return conversation, incoming


async def hold(
    turn: TurnDeps, *, conversation_id: int, message_id: int, lang: str, eta: float | None = None
) -> bool:
    """Send the holding message for this message unless the customer already has one pending.

    ``eta``: the expected seconds until the answer, when the bot is past capacity (said once)."""
    lock = _hold_locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    async with lock:
        return await _hold(turn, conversation_id=conversation_id, message_id=message_id, lang=lang, eta=eta)


async def _hold(
    turn: TurnDeps, *, conversation_id: int, message_id: int, lang: str, eta: float | None
) -> bool:
    async with turn.db.sessions.begin() as session:
        found = await _waiting(session, conversation_id, message_id)
        if found is None:
            return False
        conversation, incoming = found
        if (incoming.context or {}).get("holding_id"):
            return False
        latest = await _latest_reply(session, conversation_id)
        if latest is not None and (latest.context or {}).get("holding_for"):
            return False
        notice = await messages_crud.add_activity(
            session,
            conversation=conversation,
            text=holding_text(lang, eta=eta),
            data={"holding_for": incoming.id},
        )
        incoming.context = {**(incoming.context or {}), "holding_id": notice.id}
        await events.record(
            session,
            conversation_id=conversation_id,
            kind="bot_holding",
            message_id=incoming.id,
            data={"activity_id": notice.id, **({} if eta is None else {"expected_seconds": round(eta, 1)})},
        )
    await turn.delivery.deliver(conversation=conversation, messages=[notice])
    log.warning("bot slow: holding message sent", extra={"message_id": message_id})
    return True


async def give_up(
    turn: TurnDeps,
    *,
    conversation_id: int,
    message_id: int,
    lang: str,
    reason: str = BOT_UNAVAILABLE,
    detail: dict[str, Any] | None = None,
) -> bool:
    """Hand the conversation to a person: Rasa did not answer this message in BOT_HANDOFF_AFTER s
    (``bot_unavailable``), or will not at the rate it answers (``bot_busy``, hub/turns/backlog.py)."""
    policy = turn.policy
    uow = turn.db.unit_of_work()
    async with uow.transaction() as session:
        found = await _waiting(session, conversation_id, message_id, lock=True)
        if found is None:
            return False
        conversation, incoming = found
        await adopt_language(session, conversation, incoming, lang)
        bot_state.move(incoming, bot_state.SKIPPED)
        waited = (utcnow() - incoming.created_at).total_seconds()
        detail = {"waited_seconds": round(waited, 1), "attempts": incoming.bot_attempts, **(detail or {})}
        bot_handoff = {"reason": reason, "detail": detail}
        emit(
            session,
            EventName.BOT_COULD_NOT_ANSWER,
            conversation_id=conversation_id,
            message_id=message_id,
            why="busy" if reason == BOT_BUSY else "unavailable",
        )
        # Through the policy, so its rules (VIP contacts...) still set the priority and skill.
        decision = await policy.decide(
            session, conversation=conversation, message=incoming, bot_handoff=bot_handoff
        )
        change = await policy.hand_off(
            session,
            conversation=conversation,
            decision=decision or Decision(reason, detail=detail),
            message_id=incoming.id,
        )
    log.warning(
        "bot busy: conversation handed to a person" if reason == BOT_BUSY
        else "bot unavailable: conversation handed to a person",
        extra={"conversation_id": conversation_id, "message_id": message_id, **detail},
    )
    await turn.delivery.deliver(conversation=conversation, messages=change.messages)
    await turn.delivery.publish_status(conversation=conversation)
    await uow.flush()  # handoff.requested: pause Rasa, auto-assign (handoff/listeners.py)
    return True


async def _settle(task: asyncio.Task[list[BotReply] | None]) -> Outcome | None:
    """Cancel the Rasa call; its replies if it finished first anyway."""
    task.cancel()
    await asyncio.wait({task})
    if task.cancelled() or task.exception() is not None:
        return None
    return Outcome(task.result())


async def wait(
    turn: TurnDeps,
    *,
    message: Message,
    lang: str,
    ask: Coroutine[Any, Any, list[BotReply] | None],
) -> Outcome:
    """Await ``ask`` (Rasa, retrying while down); hold the customer and give up, timed from arrival."""
    settings = turn.settings
    waited = (utcnow() - message.created_at).total_seconds()
    handoff_after = settings.bot_handoff_after
    if handoff_after > 0 and waited >= handoff_after:
        ask.close()  # never started: Rasa is not asked about a message whose time is up
        await give_up(turn, conversation_id=message.conversation_id, message_id=message.id, lang=lang)
        return Outcome(None, handed_off=True)
    loop = asyncio.get_running_loop()
    start = loop.time()
    give_up_at = start + handoff_after - waited if handoff_after > 0 else None
    task = asyncio.ensure_future(ask)
    try:
        # Taken past its holding time: a moment to answer first (Rasa back: no holding message each).
        hold_at = start + max(settings.bot_holding_after - waited, min(settings.bot_holding_after, _SPARE))
        if settings.bot_holding_after > 0 and (give_up_at is None or hold_at < give_up_at):
            await asyncio.wait({task}, timeout=max(hold_at - loop.time(), 0.0))
            if not task.done():
                try:
                    await hold(
                        turn, conversation_id=message.conversation_id, message_id=message.id, lang=lang
                    )
                except Exception:
                    log.exception("could not send the holding message", extra={"message_id": message.id})
        if give_up_at is None:
            return Outcome(await task)
        await asyncio.wait({task}, timeout=max(give_up_at - loop.time(), 0.0))
        if task.done():
            return Outcome(task.result())
        late = await _settle(task)
        if late is not None:
            return late
        await give_up(turn, conversation_id=message.conversation_id, message_id=message.id, lang=lang)
        return Outcome(None, handed_off=True)
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
