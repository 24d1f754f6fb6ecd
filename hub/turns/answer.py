"""Store the bot's answer and deliver it: the bot turn's last step.

The bot's replies, the message's ``bot_state = done`` and any handoff (the turn policy, hub/seams.py)
are committed in one transaction, so a crash before the commit means the message is answered after
restart, and never twice after it. After the commit the replies are delivered (hub/delivery.py) and then
the turn's events published (hub/bus.py). While Rasa is slow or down, hub/turns/deadlines.py holds the
customer and, in the end, hands them to a person. The policy decides seeing Rasa's NLU of the turn (two
nlu_fallback turns in a row): stored with the answer when the action server's turn mark carries it
(actions/language.py), else read from Rasa's tracker after delivery (a second call) for a second look.
The answer's transaction is the turn's hot path: one SELECT (message locked, conversation, anything else
queued), one UPDATE of the message, the replies' and the event's INSERTs (benchmarks/capacity_turn.py).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hub import bot_state, metrics, status
from hub.bot import BotAnswer, BotReply
from hub.bus import EventName, UnitOfWork, emit
from hub.crud import conversations, events
from hub.crud import messages as messages_crud
from hub.models import Conversation, Message
from hub.privacy import tracker as rasa_tracker_store
from hub.turns import deadlines
from hub.turns.ask import AskedElsewhere, ask, bot_text, language_of
from hub.turns.deps import TurnDeps
from hub.turns.thinking import Thinking

__all__ = ["to_bot"]

log = logging.getLogger("hub.turns")


class _Erased(Exception):
    """The message or its conversation was erased (hub/privacy) while the bot was answering it."""


async def _forget_erased_turn(turn: TurnDeps, *, conversation_id: int, message_id: int) -> None:
    """Nothing of the turn is stored or sent, and Rasa's tracker, written by the turn after the erasure
    had deleted it, is deleted again: an erased customer's words must not outlive the erasure."""
    try:
        await rasa_tracker_store.erase(turn.settings, conversation_ids=[conversation_id])
    except rasa_tracker_store.TrackerStoreError as exc:
        log.error(
            "an erased conversation's Rasa tracker could not be deleted again; run the erasure again",
            extra={"conversation_id": conversation_id, "error": str(exc)},
        )
        return
    log.info(
        "message erased while the bot answered it: nothing stored, its Rasa tracker deleted again",
        extra={"conversation_id": conversation_id, "message_id": message_id},
    )


async def to_bot(
    turn: TurnDeps,
    conversation: Conversation,
    message: Message,
    *,
    contact: dict[str, Any],
    first: bool,
    held: bool = False,
) -> bool | None:
    """The bot's turn on ``message``; whether another message of the conversation waited when its answer
    was stored (None: not known). ``contact``: what the bot is told about the writer (bot_facts);
    ``first``: the conversation's first customer message; ``held``: the turn's lease is taken
    (hub/turns/ask.py ``hold``)."""
    lang = language_of(turn, conversation, message, first=first)
    metadata = {
        "language": lang,
        "channel": conversation.channel,
        "conversation_id": conversation.id,
        "contact_id": conversation.contact_id,
        "message_id": message.id,
        "contact": contact,  # the order owner check (actions/order_owner.py)
    }
    started = time.monotonic()
    to_deliver: tuple[list[Message], bool, bool] | None = None
    more: bool | None = None
    uow = turn.db.unit_of_work()
    async with Thinking(turn.delivery, conversation, after=turn.settings.bot_typing_after):
        # Rasa slow or down: a holding message, then a person (hub/turns/deadlines.py).
        try:
            outcome = await deadlines.wait(
                turn, message=message, lang=lang, ask=ask(turn, conversation, message, metadata, held=held)
            )
        except AskedElsewhere:
            log.info(
                "another process answered this message meanwhile (its drain lease was lost)",
                extra={"message_id": message.id, "conversation_id": conversation.id},
            )
            return None
        if outcome.handed_off:
            return None
        replies = outcome.replies
        try:
            to_deliver, conversation, more = await _store_answer(
                turn, uow, conversation.id, message, lang, replies, started
            )
        except _Erased:
            await _forget_erased_turn(turn, conversation_id=conversation.id, message_id=message.id)
            return None
        if to_deliver is not None:
            messages, status_changed, staged = to_deliver
            await turn.delivery.deliver(conversation=conversation, messages=messages, staged=staged)
            if messages:
                metrics.answered(message.created_at)
            if status_changed:
                await turn.delivery.publish_status(conversation=conversation)
            await uow.flush()  # handoff.requested: pause Rasa, auto-assign (handoff/listeners.py)
    if to_deliver is None:
        return None
    if replies is not None and BotAnswer.of(replies).nlu is None:
        await _review(turn, conversation, message)
    return more


async def _second_look(
    turn: TurnDeps, session: AsyncSession, conversation: Conversation, incoming: Message, nlu: dict[str, Any]
) -> list[Message] | None:
    """Keep Rasa's NLU of the turn on the incoming message; the policy, which now sees it, looks again
    (two nlu_fallback turns in a row). The handoff's messages if it hands off, else None."""
    incoming.context = {**(incoming.context or {}), "nlu": nlu}
    if not status.is_bot_owned(conversation):
        return None
    policy = turn.policy
    decision = await policy.decide(session, conversation=conversation, message=incoming, bot_handoff=None)
    if decision is None:
        return None
    change = await policy.hand_off(
        session, conversation=conversation, decision=decision, message_id=incoming.id
    )
    return change.messages


async def _review(turn: TurnDeps, conversation: Conversation, message: Message) -> None:
    """Off the answer path, for a turn whose mark carried no NLU: read it from Rasa's tracker, then the
    policy's second look (:func:`_second_look`). One transaction."""
    nlu = await turn.rasa.latest_nlu(str(conversation.id), bot_text(message))
    if nlu is None:
        return
    async with turn.db.unit_of_work() as uow:
        async with uow.transaction() as session:
            current = await conversations.get(session, conversation_id=conversation.id)
            incoming = await messages_crud.get(session, message_id=message.id)
            if current is None or incoming is None:
                return
            said = await _second_look(turn, session, current, incoming, nlu)
            if said is None:
                return
        await turn.delivery.deliver(conversation=current, messages=said)
        await turn.delivery.publish_status(conversation=current)


_Other = aliased(Message)
_MORE = (
    sa.exists()
    .where(
        _Other.conversation_id == Message.conversation_id,
        _Other.bot_state == bot_state.QUEUED,
        _Other.id != Message.id,
    )
    .correlate(Message)
)
# Built once: every bot turn runs it (building the expression cost more than running it).
_LOCKED = (
    sa.select(Conversation, Message, _MORE)
    .join(Message, Message.conversation_id == Conversation.id)
    .where(Conversation.id == sa.bindparam("conversation_id"), Message.id == sa.bindparam("message_id"))
    .with_for_update(key_share=True, of=Message)
    .execution_options(populate_existing=True)
)


async def _locked(
    session: AsyncSession, *, conversation_id: int, message_id: int
) -> tuple[Conversation, Message, bool] | None:
    """The conversation and the message, the message locked (PostgreSQL): a second worker that got the
    same message waits here and then sees it done; and whether another message of the conversation
    waits for the bot. None when either was erased."""
    params = {"conversation_id": conversation_id, "message_id": message_id}
    row = (await session.execute(_LOCKED, params)).first()
    return None if row is None else (row[0], row[1], bool(row[2]))


async def _store_answer(
    turn: TurnDeps,
    uow: UnitOfWork,
    conversation_id: int,
    message: Message,
    lang: str,
    replies: list[BotReply] | None,
    started: float,
) -> tuple[tuple[list[Message], bool, bool] | None, Conversation, bool | None]:
    """Commit replies, context, handoff and bot_state in one transaction: one statement reads (and
    locks) the message with its conversation, one UPDATE stores the message's NLU, KB payload and state,
    then the replies' and the event's INSERTs, and the channel's send rows (WhatsApp's outbox: staged, a
    crash after the commit loses no send). The messages to deliver, whether the status changed, whether
    their sends were staged."""
    async with uow.transaction() as session:
        found = await _locked(session, conversation_id=conversation_id, message_id=message.id)
        if found is None:
            raise _Erased  # erased (hub/privacy) while Rasa was answering
        conversation, incoming, more = found
        if incoming.bot_state != bot_state.QUEUED:
            return None, conversation, None
        if replies is None:
            bot_state.move(incoming, bot_state.FAILED)
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
            return ([], False, False), conversation, more
        await deadlines.adopt_language(session, conversation, incoming, lang)
        answer = BotAnswer.of(replies)
        context: dict[str, Any] = dict(incoming.context or {})
        if answer.kb is not None:
            context["kb"] = answer.kb
        if answer.custom:
            context.setdefault("custom", []).extend(answer.custom)
        if answer.nlu is not None:
            context["nlu"] = answer.nlu  # Rasa's NLU of the turn: the policy sees it (two nlu_fallback)
        handoff = answer.handoff
        incoming.context = context or None
        bot_state.move(incoming, bot_state.DONE)  # with the context: one UPDATE of the message
        status_before = conversation.status
        # The turn policy (hub/seams.py; handoff/turn_policy.py) decides on the bot's payload and the text,
        # before the replies are stored: a handoff may replace them (Decision.replaces_bot_replies).
        policy = turn.policy
        decision = await policy.decide(
            session, conversation=conversation, message=incoming, bot_handoff=handoff
        )
        shown = [] if decision is not None and decision.replaces_bot_replies else answer.shown
        out: list[Message] = []
        for reply in shown:
            out.append(
                await messages_crud.add_outgoing(
                    session,
                    conversation=conversation,
                    text=reply.text or "",
                    buttons=[b.as_dict() for b in reply.buttons],
                    sender_type="bot",
                    in_reply_to_id=incoming.id,
                )
            )
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
        kb_decision = answer.kb_decision
        emit(
            session,
            EventName.BOT_CLARIFIED if kb_decision == "clarify" else EventName.BOT_ANSWERED,
            conversation_id=conversation.id,
            message_id=incoming.id,
            replies=len(out),
            kb_decision=kb_decision,
            kb=answer.kb,
            text=incoming.text,  # listeners decide from it whether they need the message at all
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
        staged = await turn.delivery.stage(session, conversation=conversation, messages=out)
    status_changed = conversation.status != status_before
    log.info(
        "bot replied",
        extra={"message_id": message.id, "conversation_id": conversation_id, "replies": len(out)},
    )
    return (out, status_changed, staged), conversation, more
