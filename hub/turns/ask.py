"""Ask Rasa about one customer message, with retries: the bot turn's second step.

While Rasa is down (connection refused, timeout, 502/503/504) the message stays queued and is retried
with a bounded, doubling delay; other error answers count up to RASA_MAX_ATTEMPTS, then None.

A turn Rasa answers with nothing to show and no handoff (``BotAnswer.answered``) is no answer either:
Rasa 3.6 answers 200 and ``[]`` when its action server is down. It is retried like Rasa being down
(hub/turns/deadlines.py holds the customer and, in the end, hands them to a person), after undoing
the turn in Rasa's tracker (``rewind``), so the retried message is one user turn there, not several.

A message that may already have reached Rasa (sent by a process that then died, ``Message.bot_asked_at``;
or a try that timed out or failed after Rasa took it) is looked up in Rasa's tracker before it is sent
again (hub/bot_tracker.py, by the ``message_id`` the hub sends as metadata): a turn Rasa already ran is
not run twice, its replies are the answer.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import sqlalchemy as sa

from hub import language, metrics
from hub.bot import BotAnswer, BotReply, RasaError, RasaUnavailable
from hub.bot_tracker import past_turn
from hub.intent_syntax import INTENT_PREFIX, for_rasa
from hub.models import Conversation, Message, utcnow
from hub.turns.deps import TurnDeps

__all__ = ["ask", "bot_text", "language_of"]

log = logging.getLogger("hub.turns")


def bot_text(message: Message) -> str:
    """What the bot reads: the channel's ``context["bot_text"]`` (e.g. a button payload) or the text."""
    override = (message.context or {}).get("bot_text")
    return override if isinstance(override, str) and override else message.text


async def language_of(turn: TurnDeps, conversation: Conversation, message: Message) -> str:
    if message.language:
        return message.language
    async with turn.db.sessions() as session:
        earlier = await session.scalar(
            sa.select(sa.func.count(Message.id)).where(
                Message.conversation_id == conversation.id,
                Message.message_type == "incoming",
                Message.id < message.id,
            )
        )
    current = conversation.language if earlier else None
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


async def _mark_asked(turn: TurnDeps, message: Message) -> None:
    """Record that the message is about to reach Rasa, so a later process looks in the tracker first."""
    now = utcnow()
    async with turn.db.sessions.begin() as session:
        await session.execute(sa.update(Message).where(Message.id == message.id).values(bot_asked_at=now))
    message.bot_asked_at = now


async def _already_answered(turn: TurnDeps, sender: str, message: Message) -> list[BotReply] | None:
    """Rasa's replies when it already ran this message's turn; a half-run turn is undone first."""
    past = await past_turn(turn.rasa, sender=sender, message_id=message.id)
    if past is None:
        return None
    if BotAnswer.of(past.replies).answered:
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
    turn: TurnDeps, conversation: Conversation, message: Message, metadata: dict[str, Any]
) -> list[BotReply] | None:
    """Rasa's replies; retries while Rasa is down (bounded delay). None after repeated errors."""
    settings = turn.settings
    down_attempts = 0
    errors = 0
    text = bot_text(message)
    typed = text == message.text  # not a channel's button payload (a WhatsApp reply id, signed)
    if typed and text.lstrip().startswith(INTENT_PREFIX):
        text = for_rasa(text, await _offered_payloads(turn, message))
    sender = str(conversation.id)
    may_have_reached = message.bot_asked_at is not None  # an earlier process sent it (then died?)
    if not may_have_reached:
        await _mark_asked(turn, message)
    while True:
        if may_have_reached:
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
            may_have_reached = not isinstance(exc.__cause__, httpx.ConnectError)  # e.g. a timeout
        except RasaError as exc:
            metrics.RASA_ERRORS.labels("error").inc()
            errors += 1
            failure = f"rasa error: {exc}"
            may_have_reached = True
        else:
            if BotAnswer.of(replies).answered:
                return replies
            metrics.RASA_ERRORS.labels("empty").inc()
            down_attempts += 1
            failure = "rasa answered nothing (is its action server down?)"
            log.warning(
                "bot turn without a reply: not counted as answered",
                extra={"message_id": message.id, "conversation_id": conversation.id, "items": len(replies)},
            )
            await turn.rasa.rewind(sender)
            may_have_reached = False  # undone
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
