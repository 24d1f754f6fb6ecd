"""Route a stored incoming message: pending conversation -> the bot; open -> humans.

Runs as the ``process_message(message_id)`` job. Each conversation is drained oldest message
first, one at a time; different conversations run concurrently. The bot's replies, the
message's ``bot_state = done`` and any handoff are committed in one transaction, so a crash
before the commit means the message is answered after restart, and never twice after it.
While Rasa is slow or down, ``hub/holding.py`` holds the customer and, in the end, hands them to a person.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import sqlalchemy as sa

from hub import delivery, holding, language, status
from hub.bot import BotReply, RasaError, RasaUnavailable
from hub.bus import EventName, UnitOfWork, emit
from hub.crud import conversations, events
from hub.crud import messages as messages_crud
from hub.models import Conversation, Message
from hub.services import Services

__all__ = ["bot_text", "process_message", "recover"]

log = logging.getLogger(__name__)


def bot_text(message: Message) -> str:
    """What the bot reads: the channel's ``context["bot_text"]`` (e.g. a button payload) or the text."""
    override = (message.context or {}).get("bot_text")
    return override if isinstance(override, str) and override else message.text


async def recover(services: Services) -> int:
    """Re-enqueue every message still waiting for the bot (after a crash or restart)."""
    async with services.sessions() as session:
        ids = await messages_crud.queued_ids(session)
    for message_id in ids:
        await services.jobs.enqueue(message_id)
    if ids:
        log.info("re-enqueued queued messages", extra={"count": len(ids)})
    return len(ids)


async def process_message(services: Services, message_id: int) -> None:
    """The job: drain the conversation the message belongs to."""
    async with services.sessions() as session:
        message = await messages_crud.get(session, message_id=message_id)
    if message is None:
        return
    conversation_id = message.conversation_id

    async def drain() -> None:
        while True:
            async with services.sessions() as session:
                queued = await messages_crud.next_queued(session, conversation_id=conversation_id)
                conversation = await conversations.get(session, conversation_id=conversation_id)
            if queued is None or conversation is None:
                return
            await _route(services, conversation, queued)

    await services.serializer.run(conversation_id, drain)


async def _route(services: Services, conversation: Conversation, message: Message) -> None:
    if status.is_bot_owned(conversation):
        await _to_bot(services, conversation, message)
        return
    # Humans own the conversation: the message is stored and was pushed at intake.
    async with services.unit_of_work() as uow, uow.transaction() as session:
        await session.execute(sa.update(Message).where(Message.id == message.id).values(bot_state="skipped"))
        emit(session, EventName.MESSAGE_SKIPPED, conversation_id=conversation.id, message_id=message.id)


async def _language(services: Services, conversation: Conversation, message: Message) -> str:
    if message.language:
        return message.language
    async with services.sessions() as session:
        earlier = await session.scalar(
            sa.select(sa.func.count(Message.id)).where(
                Message.conversation_id == conversation.id,
                Message.message_type == "incoming",
                Message.id < message.id,
            )
        )
    current = conversation.language if earlier else None
    return language.decide(current, message.text, default=services.settings.default_language)


def _raise_if_cancelling(exc: Exception) -> None:
    """Shutdown cancelled us but a library reported it as a connection error: stop anyway."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError() from exc


async def _ask(
    services: Services, conversation: Conversation, message: Message, metadata: dict[str, Any]
) -> list[BotReply] | None:
    """Rasa's replies; retries while Rasa is down (bounded delay). None after repeated errors."""
    settings = services.settings
    down_attempts = 0
    errors = 0
    while True:
        try:
            return await services.rasa.send(str(conversation.id), bot_text(message), metadata)
        except RasaUnavailable as exc:
            _raise_if_cancelling(exc)
            down_attempts += 1
            failure = f"rasa unavailable: {exc}"
        except RasaError as exc:
            errors += 1
            failure = f"rasa error: {exc}"
        async with services.sessions.begin() as session:
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


async def _to_bot(services: Services, conversation: Conversation, message: Message) -> None:
    lang = await _language(services, conversation, message)
    metadata = {
        "language": lang,
        "channel": conversation.channel,
        "conversation_id": conversation.id,
        "contact_id": conversation.contact_id,
        "message_id": message.id,
    }
    started = time.monotonic()
    await delivery.publish_typing(services, conversation=conversation, on=True)
    to_deliver: tuple[list[Message], bool] | None = None
    uow = services.unit_of_work()
    try:
        # Rasa slow or down: a holding message, then a person (hub/holding.py).
        outcome = await holding.wait(
            services, message=message, lang=lang, ask=_ask(services, conversation, message, metadata)
        )
        if outcome.handed_off:
            return
        replies = outcome.replies
        to_deliver, conversation = await _store_answer(
            services, uow, conversation.id, message, lang, replies, started
        )
        if to_deliver is not None:
            messages, status_changed = to_deliver
            await delivery.deliver(services, conversation=conversation, messages=messages)
            if status_changed:
                await delivery.publish_status(services, conversation=conversation)
            await uow.flush()  # handoff.requested: pause Rasa, auto-assign (handoff/listeners.py)
    finally:
        await delivery.publish_typing(services, conversation=conversation, on=False)
    if to_deliver is None:
        return
    if replies is not None:
        await _store_nlu(services, conversation, message)
        await _review(services, conversation_id=conversation.id, message_id=message.id)


async def _review(services: Services, *, conversation_id: int, message_id: int) -> None:
    """Once Rasa's NLU of the turn is stored: hand off if the policy now says so (nlu_fallback x2)."""
    policy = services.seams.policy
    async with services.unit_of_work() as uow:
        async with uow.transaction() as session:
            conversation = await conversations.get(session, conversation_id=conversation_id)
            message = await messages_crud.get(session, message_id=message_id)
            if conversation is None or message is None or not status.is_bot_owned(conversation):
                return
            decision = await policy.decide(
                session, conversation=conversation, message=message, bot_handoff=None
            )
            if decision is None:
                return
            change = await policy.hand_off(
                session, conversation=conversation, decision=decision, message_id=message_id
            )
        await delivery.deliver(services, conversation=conversation, messages=change.messages)
        await delivery.publish_status(services, conversation=conversation)


async def _store_answer(
    services: Services,
    uow: UnitOfWork,
    conversation_id: int,
    message: Message,
    lang: str,
    replies: list[BotReply] | None,
    started: float,
) -> tuple[tuple[list[Message], bool] | None, Conversation]:
    """Commit replies, context, handoff and bot_state in one transaction."""
    async with uow.transaction() as session:
        conversation = await conversations.get(session, conversation_id=conversation_id)
        # Locked (PostgreSQL): a second worker that got the same message waits here and sees "done".
        incoming = await session.get(
            Message, message.id, with_for_update={"key_share": True}, populate_existing=True
        )
        assert conversation is not None and incoming is not None
        if incoming.bot_state != "queued":
            return None, conversation
        if replies is None:
            incoming.bot_state = "failed"
            await events.record(
                session, conversation_id=conversation.id, kind="bot_failed", message_id=incoming.id
            )
            emit(
                session,
                EventName.BOT_COULD_NOT_ANSWER,
                conversation_id=conversation.id,
                message_id=incoming.id,
                why="failed",
            )
            return ([], False), conversation
        await holding.adopt_language(session, conversation, incoming, lang)
        context: dict[str, Any] = dict(incoming.context or {})
        handoff: dict[str, Any] | None = None
        out: list[Message] = []
        for reply in replies:
            if reply.custom:
                if isinstance(reply.custom.get("handoff"), dict):
                    handoff = reply.custom["handoff"]
                if isinstance(reply.custom.get("kb"), dict):
                    context["kb"] = reply.custom["kb"]
                other = {k: v for k, v in reply.custom.items() if k not in ("handoff", "kb")}
                if other:
                    context.setdefault("custom", []).append(other)
            if reply.text or reply.buttons:
                out.append(
                    await delivery.add_reply(
                        session,
                        conversation=conversation,
                        text=reply.text or "",
                        buttons=[b.as_dict() for b in reply.buttons],
                        sender_type="bot",
                        in_reply_to_id=incoming.id,
                    )
                )
        incoming.context = context or None
        incoming.bot_state = "done"
        await events.record(
            session,
            conversation_id=conversation.id,
            kind="bot_replied",
            message_id=incoming.id,
            data={
                "latency_ms": round((time.monotonic() - started) * 1000),
                "replies": len(out),
                "reply_ids": [m.id for m in out],
            },
        )
        kb_decision = (context.get("kb") or {}).get("decision")
        emit(
            session,
            EventName.BOT_CLARIFIED if kb_decision == "clarify" else EventName.BOT_ANSWERED,
            conversation_id=conversation.id,
            message_id=incoming.id,
            replies=len(out),
            kb_decision=kb_decision,
        )
        status_before = conversation.status
        # The turn policy (hub/seams.py; handoff/turn_policy.py) decides on the bot's payload and the text.
        policy = services.seams.policy
        decision = await policy.decide(
            session, conversation=conversation, message=incoming, bot_handoff=handoff
        )
        if decision is not None:
            change = await policy.hand_off(
                session,
                conversation=conversation,
                decision=decision,
                message_id=incoming.id,
                announced=handoff is not None and any(m.text for m in out),
            )
            out.extend(change.messages)
    status_changed = conversation.status != status_before
    log.info(
        "bot replied",
        extra={"message_id": message.id, "conversation_id": conversation_id, "replies": len(out)},
    )
    return (out, status_changed), conversation


async def _store_nlu(services: Services, conversation: Conversation, message: Message) -> None:
    """Off the answer path: keep Rasa's NLU of this turn on the incoming message."""
    nlu = await services.rasa.latest_nlu(str(conversation.id), bot_text(message))
    if nlu is None:
        return
    async with services.sessions.begin() as session:
        incoming = await messages_crud.get(session, message_id=message.id)
        if incoming is not None:
            incoming.context = {**(incoming.context or {}), "nlu": nlu}
