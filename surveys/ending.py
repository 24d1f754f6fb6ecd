"""Bot-only conversations end: a goodbye, or silence after the bot's last answer; late survey steps close.

- ``bot.answered`` (hub/turns/answer.py): the customer's message was a goodbye or thanks
  (surveys/answers.py ``is_goodbye``) in a conversation the bot still owns, after an earlier bot answer,
  with nothing else queued -> resolved by the bot, ``why: goodbye`` (SURVEYS_GOODBYE_RESOLVES);
- the sweep (hub/periodic.every, SURVEYS_SWEEP_INTERVAL): a pending conversation whose last message is
  the bot's answer, older than SURVEYS_BOT_SILENCE_MINUTES -> resolved by the bot, ``why: silence``; a
  CSAT whose comment did not come within SURVEYS_COMMENT_MINUTES is stored without one; a survey not
  answered within SURVEYS_ANSWER_HOURS is dropped.

The resolution itself is hub/status.py's; its ``conversation.resolved`` brings the closing message and
the survey (surveys/asking.py).
"""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub import periodic, status
from hub.bus import BusEvent, Database, EventBus, EventName
from hub.crud import conversations
from hub.crud import messages as messages_crud
from hub.delivery import Delivery
from hub.models import Conversation, Message, utcnow
from hub.status import ConversationStatus
from surveys import answers
from surveys.answering import finish
from surveys.models import Survey, SurveyState
from surveys.settings import SurveySettings

__all__ = ["Ending"]

log = logging.getLogger(__name__)

_BATCH = 200


async def _last_message(session: AsyncSession, conversation_id: int) -> Message | None:
    query = (
        sa.select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def _bot_answered_before(session: AsyncSession, conversation_id: int, message_id: int) -> bool:
    earlier = await session.scalar(
        sa.select(sa.func.count(Message.id)).where(
            Message.conversation_id == conversation_id,
            Message.message_type == "outgoing",
            Message.sender_type == "bot",
            Message.in_reply_to_id < message_id,
        )
    )
    return bool(earlier)


async def _queued(session: AsyncSession, conversation_id: int) -> bool:
    return await messages_crud.next_queued(session, conversation_id=conversation_id) is not None


class Ending:
    """The goodbye listener and the sweep."""

    def __init__(self, *, db: Database, delivery: Delivery, settings: SurveySettings) -> None:
        self._db = db
        self._delivery = delivery
        self._settings = settings

    def subscribe(self, bus: EventBus) -> None:
        if self._settings.surveys_goodbye_resolves:
            bus.subscribe(EventName.BOT_ANSWERED, self.bot_answered)

    async def bot_answered(self, event: BusEvent) -> None:
        if event.conversation_id is None or "message_id" not in event.data:
            return
        if not answers.is_goodbye(str(event.data.get("text") or "")):
            return  # most turns: no statement at all
        message_id = int(event.data["message_id"])
        async with self._db.sessions() as session:
            if not await _bot_answered_before(session, event.conversation_id, message_id):
                return  # "gracias" as the first words is not the end of anything
        await self._resolve(event.conversation_id, why="goodbye", last_id=None)

    async def _resolve(self, conversation_id: int, *, why: str, last_id: int | None) -> bool:
        """Resolve by the bot if it still owns the conversation, nothing waits for it and (silence) its
        last message is still ``last_id``."""
        async with self._db.unit_of_work() as uow:
            async with uow.transaction() as session:
                conversation = await session.get(Conversation, conversation_id, with_for_update=True)
                if conversation is None or not status.is_bot_owned(conversation):
                    return False
                if await _queued(session, conversation_id):
                    return False
                if last_id is not None:
                    last = await _last_message(session, conversation_id)
                    if last is None or last.id != last_id:
                        return False
                await status.resolve(session, conversation=conversation, by="bot", why=why)
            await self._delivery.publish_status(conversation=conversation)
        log.info("resolved by the bot", extra={"conversation_id": conversation_id, "why": why})
        return True

    async def resolve_silent(self) -> int:
        """Pending conversations whose last message is the bot's answer, older than the silence: one
        statement finds them (the last message by ``ix_messages_conversation_id_id``), so conversations
        that do not qualify (the customer's message is last: the bot failed) never hold the others up."""
        minutes = self._settings.surveys_bot_silence_minutes
        if minutes <= 0:
            return 0
        cutoff = utcnow() - timedelta(minutes=minutes)
        last_id = (
            sa.select(sa.func.max(Message.id))
            .where(Message.conversation_id == Conversation.id)
            .correlate(Conversation)
            .scalar_subquery()
        )
        query = (
            sa.select(Conversation.id, Message.id)
            .join(Message, Message.id == last_id)
            .where(
                Conversation.status == ConversationStatus.PENDING,
                Conversation.updated_at < cutoff,
                Message.message_type == "outgoing",
                Message.sender_type == "bot",
                Message.created_at < cutoff,
            )
            .order_by(Conversation.updated_at)
            .limit(_BATCH)
        )
        async with self._db.sessions() as session:
            silent = [(row[0], row[1]) for row in await session.execute(query)]
        resolved = 0
        for conversation_id, last_id_found in silent:
            resolved += await self._resolve(conversation_id, why="silence", last_id=last_id_found)
        return resolved

    async def close_late_steps(self) -> int:
        """Store a CSAT whose comment never came; drop surveys never answered."""
        now = utcnow()
        comment_cutoff = now - timedelta(minutes=self._settings.surveys_comment_minutes)
        answer_cutoff = now - timedelta(hours=self._settings.surveys_answer_hours)
        closed = 0
        async with self._db.unit_of_work() as uow, uow.transaction() as session:
            late = (
                await session.execute(
                    sa.select(Survey)
                    .where(Survey.state == SurveyState.COMMENTING, Survey.scored_at < comment_cutoff)
                    .limit(_BATCH)
                )
            ).scalars()
            for survey in list(late):
                conversation = await conversations.get(session, conversation_id=survey.conversation_id)
                if conversation is None:
                    continue
                await finish(
                    session,
                    survey=survey,
                    conversation=conversation,
                    comment=None,
                    settings=self._settings,
                    reply=False,
                )
                closed += 1
            await session.execute(
                sa.update(Survey)
                .where(Survey.state == SurveyState.ASKED, Survey.sent_at < answer_cutoff)
                .values(state=SurveyState.DROPPED)
            )
        return closed

    async def sweep(self) -> None:
        await self.resolve_silent()
        await self.close_late_steps()

    async def run(self) -> None:
        """The worker task: the sweep every SURVEYS_SWEEP_INTERVAL seconds, failures logged and retried."""
        await periodic.every(
            self._settings.surveys_sweep_interval, self.sweep, what="surveys sweep", wait_first=True
        )


