"""Ask Rasa about one customer message, with retries: the bot turn's second step.

While Rasa is down (connection refused, timeout, 502/503/504) the message stays queued and is retried
with a bounded, doubling delay; other error answers count up to RASA_MAX_ATTEMPTS, then None.

A turn Rasa answers with nothing to show and no handoff (``BotAnswer.answered``) is no answer either:
Rasa 3.6 answers 200 and ``[]`` when its action server is down. Nor is a turn the action server did not
run: without the action server Rasa's policies go on without the custom actions and often answer with
the fallback ``utter_default`` ("Perdona, no te he entendido"); the action server marks every turn it runs
with the hub's message id (``BotAnswer.ran_for``, actions/language.py; ``BOT_TURN_MARK``). Both are
retried like Rasa being down (hub/turns/deadlines.py holds the customer and, in the end, hands them to a
person), after undoing the turn in Rasa's tracker (``rewind``), so the retried message is one user turn
there, not several.

A message that may already have reached Rasa (sent by a process that then died, ``Message.bot_asked_at``;
or a try that timed out or failed after Rasa took it) is looked up in Rasa's tracker before it is sent
again (hub/bot_tracker.py, by the ``message_id`` the hub sends as metadata): a turn Rasa already ran is
not run twice, its replies are the answer.

``bot_asked_at`` is also the turn's lease: the process asking Rasa refreshes it every :data:`HEARTBEAT_S`
seconds until the turn ends. A second process that finds the message asked less than :data:`IN_FLIGHT_S`
ago (Redis restarted empty and took the drain leases with it, hub/serial.py) leaves it alone until the
first one stored the answer (the message is no longer queued: :class:`AskedElsewhere`, nothing to do) or
stopped refreshing it (died): then it takes the lease over with a compare-and-set, so exactly one does,
and looks in the tracker. A turn possibly in flight is never rewound or sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from hub import bot_state, language, metrics
from hub.bot import BotAnswer, BotReply, RasaError, RasaUnavailable
from hub.bot_tracker import past_turn
from hub.intent_syntax import INTENT_PREFIX, for_rasa
from hub.models import Conversation, Message, utcnow
from hub.turns.deps import TurnDeps

__all__ = ["HEARTBEAT_S", "IN_FLIGHT_S", "AskedElsewhere", "ask", "bot_text", "hold", "language_of"]

log = logging.getLogger("hub.turns")


def bot_text(message: Message) -> str:
    """What the bot reads: the channel's ``context["bot_text"]`` (e.g. a button payload) or the text."""
    override = (message.context or {}).get("bot_text")
    return override if isinstance(override, str) and override else message.text


def language_of(turn: TurnDeps, conversation: Conversation, message: Message, *, first: bool) -> str:
    """The turn's language: the channel's, else decided from the text and, after the conversation's
    ``first`` customer message, the conversation's language so far (hub/language.py)."""
    if message.language:
        return message.language
    current = None if first else conversation.language
    return language.decide(current, message.text, default=turn.settings.default_language)


async def _offered_payloads(turn: TurnDeps, message: Message) -> set[str]:
    """Button payloads of the bot's last few messages before ``message`` in its conversation."""
    async with turn.db.sessions() as session:
        rows = await session.scalars(
            sa.select(Message.buttons)
            .where(
                Message.conversation_id == message.conversation_id,
                Message.message_type == "outgoing",
                Message.buttons.is_not(None),
                Message.id < message.id,
            )
            .order_by(Message.id.desc())
            .limit(3)
        )
        return {str(b.get("payload")) for buttons in rows for b in (buttons or [])
                if isinstance(b, dict)}


#: Seconds between two refreshes of ``bot_asked_at`` while a process waits for Rasa.
HEARTBEAT_S = 5.0

#: A message asked less than this ago may be in flight in another process: hands off.
IN_FLIGHT_S = 2 * HEARTBEAT_S + 1


class AskedElsewhere(Exception):
    """Another process asked Rasa about this message and stored the answer (or still holds the lease)."""


_messages = cast(sa.Table, Message.__table__)
# Core statements on the table, built once (every bot turn runs one): no ORM bulk-update path.
_CLAIM = (
    sa.update(_messages)
    .where(_messages.c.id == sa.bindparam("message_id"), _messages.c.bot_state == bot_state.QUEUED)
    .values(bot_asked_at=sa.bindparam("now"))
)
_CLAIM_FREE = _CLAIM.where(_messages.c.bot_asked_at.is_(None))
_CLAIM_SEEN = _CLAIM.where(_messages.c.bot_asked_at == sa.bindparam("seen"))


async def _compare_and_set(session: AsyncSession, message_id: int, seen: datetime | None) -> datetime | None:
    """``bot_asked_at`` from ``seen`` to now, in the session's transaction: the new value when it was set
    (this process holds the turn once that commits), None when another process got there first."""
    now = utcnow()
    mine, params = (
        (_CLAIM_FREE, {"message_id": message_id, "now": now})
        if seen is None
        else (_CLAIM_SEEN, {"message_id": message_id, "now": now, "seen": seen})
    )
    connection = await session.connection()
    return now if (await connection.execute(mine, params)).rowcount == 1 else None


async def _claim(turn: TurnDeps, message: Message, seen: datetime | None) -> bool:
    """Compare-and-set ``bot_asked_at`` from ``seen`` to now, a transaction of its own: True when this
    process holds the turn."""
    async with turn.db.sessions.begin() as session:
        now = await _compare_and_set(session, message.id, seen)
    if now is not None:
        message.bot_asked_at = now
    return now is not None


async def hold(session: AsyncSession, message: Message) -> bool:
    """Take the turn's lease in the caller's transaction (the drain's read of the message, so a bot turn
    costs one transaction less, hub/turns/drain.py): True when this process holds it once that commits;
    pass ``held=True`` to :func:`ask` then. Only for a message nobody asked Rasa about yet."""
    now = await _compare_and_set(session, message.id, None)
    if now is None:
        return False
    set_committed_value(message, "bot_asked_at", now)  # not a change of the session's to flush
    return True


async def _take_over(turn: TurnDeps, message: Message) -> None:
    """Wait until the process that asked Rasa about ``message`` is done or gone, then hold the turn."""
    while True:
        async with turn.db.sessions() as session:
            row = (
                await session.execute(
                    sa.select(Message.bot_asked_at, Message.bot_state).where(Message.id == message.id)
                )
            ).one_or_none()
        if row is None or row.bot_state != bot_state.QUEUED:
            raise AskedElsewhere(message.id)
        asked_at = row.bot_asked_at
        age = (utcnow() - asked_at).total_seconds() if asked_at is not None else IN_FLIGHT_S
        if age < IN_FLIGHT_S:
            await asyncio.sleep(IN_FLIGHT_S - age)
            continue
        if await _claim(turn, message, asked_at):
            return


async def _heartbeat(turn: TurnDeps, message: Message) -> None:
    """Keep ``bot_asked_at`` fresh while this process waits for Rasa (and between retries)."""
    while True:
        await asyncio.sleep(HEARTBEAT_S)
        if not await _claim(turn, message, message.bot_asked_at):
            return  # answered meanwhile (not queued), or taken over: nothing left to hold


def _not_an_answer(
    turn: TurnDeps, message: Message, replies: list[BotReply], *, retried: bool
) -> str | None:
    """Why Rasa's ``replies`` are no answer to ``message`` (to retry), or None when they are.

    ``retried``: the message's turn was undone in Rasa before (its actions had failed). Rasa's policies
    then often fall back (``utter_default``) instead of running the actions again, even with the action
    server back: on such a turn Rasa's fallback is no answer either (the fault suite's action server case).
    On a first try it is one: the bot did not understand."""
    answer = BotAnswer.of(replies)
    if turn.settings.bot_turn_mark and not answer.ran_for(message.id):
        return "the action server did not run the turn (is it down?)"
    if not answer.answered:
        return "rasa answered nothing (is its action server down?)"
    if retried and answer.fallback:
        return "rasa fell back on a retried turn (its actions had failed)"
    return None


async def _already_answered(turn: TurnDeps, sender: str, message: Message) -> list[BotReply] | None:
    """Rasa's replies when it already ran this message's turn; a half-run turn is undone first."""
    past = await past_turn(turn.rasa, sender=sender, message_id=message.id)
    if past is None:
        return None
    if _not_an_answer(turn, message, past.replies, retried=message.bot_attempts > 0) is None:
        log.warning(
            "Rasa already ran this turn: its replies are the answer, the message is not sent again",
            extra={"message_id": message.id, "conversation_id": message.conversation_id},
        )
        return past.replies
    await turn.rasa.rewind(sender)  # nothing shown: undo it, the message goes again as one turn
    return None


def _raise_if_cancelling(exc: Exception) -> None:
    """Shutdown cancelled us but a library reported it as a connection error: stop anyway."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError() from exc


async def ask(
    turn: TurnDeps,
    conversation: Conversation,
    message: Message,
    metadata: dict[str, Any],
    *,
    held: bool = False,
) -> list[BotReply] | None:
    """Rasa's replies; retries while Rasa is down (bounded delay). None after repeated errors. ``held``:
    the caller took the turn's lease already (:func:`hold`).

    Raises :class:`AskedElsewhere` when another process answered the message meanwhile."""
    text = bot_text(message)
    typed = text == message.text  # not a channel's button payload (a WhatsApp reply id, signed)
    if typed and text.lstrip().startswith(INTENT_PREFIX):
        text = for_rasa(text, await _offered_payloads(turn, message))
    sender = str(conversation.id)
    may_have_reached = False
    if not held:
        may_have_reached = message.bot_asked_at is not None  # an earlier process sent it (then died?)
        if may_have_reached or not await _claim(turn, message, None):
            may_have_reached = True
            await _take_over(turn, message)
    heartbeat = asyncio.create_task(_heartbeat(turn, message))
    reach = _Reach(may_have_reached)
    ended = False
    try:
        replies = await _ask(turn, message, sender, text, metadata, reach=reach)
        ended = True
        return replies
    finally:
        heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await heartbeat
        if not ended and not reach.may_have_reached:
            await _release(turn, message)


@dataclass
class _Reach:
    """Whether Rasa may have taken the message (a try that timed out, a turn an earlier process sent)."""

    may_have_reached: bool


async def _release(turn: TurnDeps, message: Message) -> None:
    """Stopped (shutdown, deadline) before Rasa could have taken the message: free the turn for the next
    process at once (no lease to wait out, no tracker to read)."""
    free = (
        sa.update(Message)
        .where(Message.id == message.id, Message.bot_asked_at == message.bot_asked_at)
        .values(bot_asked_at=None)
    )
    try:
        async with asyncio.timeout(2.0), turn.db.sessions.begin() as session:
            await session.execute(free)
    except (Exception, asyncio.CancelledError):  # the lease then runs out by itself (IN_FLIGHT_S)
        log.debug("could not release the turn's lease", extra={"message_id": message.id})


async def _ask(
    turn: TurnDeps,
    message: Message,
    sender: str,
    text: str,
    metadata: dict[str, Any],
    *,
    reach: _Reach,
) -> list[BotReply] | None:
    settings = turn.settings
    down_attempts = 0
    errors = 0
    undone = 0  # turns of this message undone in Rasa's tracker here
    while True:
        if reach.may_have_reached:
            replayed = await _already_answered(turn, sender, message)
            if replayed is not None:
                return replayed
        try:
            replies = await turn.rasa.send(sender, text, metadata)
        except RasaUnavailable as exc:
            _raise_if_cancelling(exc)
            metrics.RASA_ERRORS.labels("unavailable").inc()
            down_attempts += 1
            failure = f"rasa unavailable: {exc}"
            reach.may_have_reached = not isinstance(exc.__cause__, httpx.ConnectError)  # e.g. a timeout
        except RasaError as exc:
            metrics.RASA_ERRORS.labels("error").inc()
            errors += 1
            failure = f"rasa error: {exc}"
            reach.may_have_reached = True
        else:
            retried = message.bot_attempts > 0 or undone > 0
            why = _not_an_answer(turn, message, replies, retried=retried)
            if why is None:
                return replies
            metrics.RASA_ERRORS.labels("empty").inc()
            down_attempts += 1
            failure = why
            log.warning(
                "bot turn without a reply: not counted as answered",
                extra={
                    "message_id": message.id,
                    "conversation_id": message.conversation_id,
                    "items": len(replies),
                    "error": why,
                },
            )
            await turn.rasa.rewind(sender)
            undone += 1
            reach.may_have_reached = False  # undone
        async with turn.db.sessions.begin() as session:
            await session.execute(
                sa.update(Message)
                .where(Message.id == message.id)
                .values(bot_attempts=Message.bot_attempts + 1)
            )
        if errors >= settings.rasa_max_attempts:
            log.error("giving up on message", extra={"message_id": message.id, "error": failure})
            return None
        attempt = down_attempts + errors
        delay = min(settings.rasa_retry_base * 2 ** (attempt - 1), settings.rasa_retry_max)
        log.warning(
            "retrying message",
            extra={"message_id": message.id, "error": failure, "attempt": attempt, "delay": delay},
        )
        await asyncio.sleep(delay)
