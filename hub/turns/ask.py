"""Ask Rasa about one customer message, with retries: the bot turn's second step.

While Rasa is down (connection refused, timeout, 502/503/504) the message stays queued and is retried
with a bounded, doubling delay; other error answers count up to RASA_MAX_ATTEMPTS, then None.

A turn Rasa answers with nothing to show and no handoff (``BotAnswer.answered``) is no answer either:
Rasa 3.6 answers 200 and ``[]`` when its action server is down. It is retried like Rasa being down
(hub/turns/deadlines.py holds the customer and, in the end, hands them to a person), after undoing
the turn in Rasa's tracker (``rewind``), so the retried message is one user turn there, not several.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import sqlalchemy as sa

from hub import language
from hub.bot import BotAnswer, BotReply, RasaError, RasaUnavailable
from hub.intent_syntax import INTENT_PREFIX, for_rasa
from hub.models import Conversation, Message
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
    while True:
        try:
            replies = await turn.rasa.send(sender, text, metadata)
        except RasaUnavailable as exc:
            _raise_if_cancelling(exc)
            down_attempts += 1
            failure = f"rasa unavailable: {exc}"
        except RasaError as exc:
            errors += 1
            failure = f"rasa error: {exc}"
        else:
            if BotAnswer.of(replies).answered:
                return replies
            down_attempts += 1
            failure = "rasa answered nothing (is its action server down?)"
            log.warning(
                "bot turn without a reply: not counted as answered",
                extra={"message_id": message.id, "conversation_id": conversation.id, "items": len(replies)},
            )
            await turn.rasa.rewind(sender)
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
