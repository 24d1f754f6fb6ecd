""""¿Te ha servido?" after some FAQ answers, and the customer's Sí / No.

Asked (listener of ``bot.answered``, after the answer was delivered) when the KB answered and the answer
was not clearly confident (it led the runner-up by less than LEARNING_FEEDBACK_MARGIN, or scored below
LEARNING_FEEDBACK_MIN_SCORE), or on a sample (LEARNING_FEEDBACK_SHARE) of the others; never on two answers
in a row, never while a survey waits, only while the bot owns the conversation.

The customer's reply is taken before the bot reads it (the hub's ``bot_intercept`` seam): Sí is thanked,
No hands the conversation to a person at once (reason ``not_helpful``, through the turn policy), each
stored as a signal with the answer's entry id, score and decision. Anything else drops the question and
goes to the bot as usual: a customer who asks something new is answered.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub import status
from hub.bus import BusEvent, Database, EventBus, EventName
from hub.crud import conversations, events
from hub.crud import messages as messages_crud
from hub.delivery import Delivery
from hub.models import Conversation, Message, utcnow
from hub.seams import Decision, Seams
from hub.turns.ask import bot_text
from learning import texts
from learning.models import AskState, FeedbackAsk, Kind, Strength
from learning.record import kb_of, signal, top
from learning.settings import LearningSettings
from surveys.asking import open_survey

__all__ = ["NOT_HELPFUL", "Asking", "FeedbackReplies", "open_ask", "unsure"]

log = logging.getLogger(__name__)

NOT_HELPFUL = "not_helpful"


def unsure(kb: dict[str, object] | None, settings: LearningSettings) -> bool:
    """The answer was not clearly confident: a small lead over the runner-up, or a low score."""
    _, score, second = top(kb if isinstance(kb, dict) else None)
    if score is None:
        return False
    if second is not None and score - second < settings.learning_feedback_margin:
        return True
    return score < settings.learning_feedback_min_score


# Built once: the drain asks it before every bot turn.
_OPEN_ASK = (
    sa.select(FeedbackAsk)
    .where(
        FeedbackAsk.conversation_id == sa.bindparam("conversation_id"),
        FeedbackAsk.state == AskState.ASKED,
    )
    .order_by(FeedbackAsk.id.desc())
    .limit(1)
)


async def open_ask(session: AsyncSession, *, conversation_id: int) -> FeedbackAsk | None:
    return (await session.execute(_OPEN_ASK, {"conversation_id": conversation_id})).scalar_one_or_none()


async def _asked_last_time(session: AsyncSession, *, conversation_id: int, message_id: int) -> bool:
    """The previous FAQ answer of the conversation (before this one) was asked about."""
    earlier = await session.scalars(
        sa.select(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.message_type == "incoming",
            Message.id < message_id,
        )
        .order_by(Message.id.desc())
        .limit(20)
    )
    previous = next((m for m in earlier if kb_of(m) is not None), None)
    if previous is None:
        return False
    asked = await session.scalar(sa.select(FeedbackAsk.id).where(FeedbackAsk.message_id == previous.id))
    return asked is not None


class Asking:
    """The ``bot.answered`` listener that asks "¿Te ha servido?"."""

    def __init__(
        self,
        *,
        db: Database,
        delivery: Delivery,
        settings: LearningSettings,
        chance: Callable[[], float] = random.random,
    ) -> None:
        self._db = db
        self._delivery = delivery
        self._settings = settings
        self._chance = chance

    def subscribe(self, bus: EventBus) -> None:
        bus.subscribe(EventName.BOT_ANSWERED, self.answered)

    def _why(self, kb: object) -> str | None:
        """Whether this FAQ answer is worth asking about, from the answer alone (no statement)."""
        if not isinstance(kb, dict) or kb.get("decision") != "answer":
            return None
        if unsure(kb, self._settings):
            return "unsure"
        return "sampled" if self._chance() < self._settings.learning_feedback_share else None

    async def _may_ask(self, session: AsyncSession, conversation: Conversation, query: Message) -> bool:
        """Not while a survey is open, nor twice in a row, nor once people own the conversation."""
        if kb_of(query) is None or not status.is_bot_owned(conversation):
            return False
        if await open_survey(session, conversation_id=conversation.id) is not None:
            return False
        return not await _asked_last_time(session, conversation_id=conversation.id, message_id=query.id)

    async def answered(self, event: BusEvent) -> None:
        message_id = event.data.get("message_id")
        if not self._settings.learning_feedback or event.conversation_id is None or not message_id:
            return
        why = self._why(event.data.get("kb"))
        if why is None:
            return  # most turns: no statement at all
        async with self._db.unit_of_work() as uow:
            async with uow.transaction() as session:
                conversation = await conversations.get(session, conversation_id=event.conversation_id)
                query = await messages_crud.get(session, message_id=int(message_id))
                if conversation is None or query is None:
                    return
                if not await self._may_ask(session, conversation, query):
                    return
                language = conversation.language
                question = await messages_crud.add_outgoing(
                    session,
                    conversation=conversation,
                    text=texts.question(language),
                    buttons=texts.buttons(language),
                    sender_type="bot",
                    in_reply_to_id=None,
                )
                session.add(
                    FeedbackAsk(
                        conversation_id=conversation.id, message_id=query.id, question_id=question.id, why=why
                    )
                )
                await events.record(
                    session,
                    conversation_id=conversation.id,
                    kind="feedback_asked",
                    message_id=query.id,
                    data={"why": why},
                )
            await self._delivery.deliver(conversation=conversation, messages=[question])


class FeedbackReplies:
    """hub.seams.BotIntercept: the answer to the open "¿Te ha servido?"."""

    def __init__(self, settings: LearningSettings, seams: Seams) -> None:
        self._settings = settings
        self._seams = seams  # the turn policy is read when needed (the desk plugs it in)

    async def waiting(self, session: AsyncSession, *, conversation_id: int) -> bool:
        return await open_ask(session, conversation_id=conversation_id) is not None

    async def take(
        self, session: AsyncSession, *, conversation: Conversation, message: Message
    ) -> list[Message] | None:
        ask = await open_ask(session, conversation_id=conversation.id)
        if ask is None:
            return None
        if ask.sent_at < utcnow() - timedelta(minutes=self._settings.learning_feedback_minutes):
            ask.state = AskState.EXPIRED
            return None
        helped = texts.answer_of(bot_text(message))
        if helped is None:
            ask.state = AskState.IGNORED  # a new question: the bot answers it
            return None
        query = await session.get(Message, ask.message_id)
        ask.state = AskState.ANSWERED
        if query is not None:
            kind = Kind.HELPFUL if helped else Kind.NOT_HELPFUL
            expected = top(kb_of(query))[0] if helped else None
            session.add(
                signal(
                    kind=kind,
                    strength=Strength.EXPLICIT,
                    conversation=conversation,
                    query=query,
                    expected=expected,
                )
            )
        await events.record(
            session,
            conversation_id=conversation.id,
            kind="feedback_answered",
            message_id=message.id,
            data={"helpful": helped, "query_message_id": ask.message_id},
        )
        language = conversation.language
        reply = await messages_crud.add_outgoing(
            session,
            conversation=conversation,
            text=texts.thanks(language) if helped else texts.sorry(language),
            buttons=None,
            sender_type="bot",
            in_reply_to_id=message.id,
        )
        if helped:
            return [reply]
        entry_id, score, _ = top(kb_of(query) if query is not None else None)
        decision = Decision(
            reason=NOT_HELPFUL,
            detail={"query": query.text if query is not None else None, "entry_id": entry_id, "score": score},
        )
        change = await self._seams.policy.hand_off(
            session, conversation=conversation, decision=decision, message_id=message.id, announced=True
        )
        return [reply, *change.messages]

