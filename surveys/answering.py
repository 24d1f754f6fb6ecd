"""The customer's reply to a survey, taken before the bot sees it (the hub's ``Intercept`` seam).

The hub offers every message that comes back to a resolved conversation (within
REOPEN_WINDOW_HOURS) to :meth:`SurveyReplies.take` before it reopens the conversation: a score (a
button's payload, a WhatsApp list row's id or a typed number) is stored and answered here, never
sent to Rasa as a question. Anything else drops the survey and goes to the bot as usual: the
customer is answered, not stuck in the survey. After a CSAT score the next message may be a comment
(optional: "No, gracias", a question or SURVEYS_COMMENT_MINUTES of silence end it without one).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.bus import EventName, emit
from hub.crud import events
from hub.crud import messages as messages_crud
from hub.models import Conversation, Event, Message, utcnow
from hub.turns import bot_text
from surveys import answers, follow_ups, texts
from surveys.asking import ask, open_survey
from surveys.models import CSAT, NPS, Survey, SurveyState
from surveys.settings import SurveySettings

__all__ = ["SurveyReplies", "finish"]

_COMMENT_CHARS = 2000


async def _agent_ids(session: AsyncSession, *, conversation_id: int) -> list[int]:
    """The agents who joined the conversation (event ``agent_assigned``), in order, once each."""
    rows = await session.execute(
        sa.select(Event.data).where(Event.conversation_id == conversation_id, Event.kind == "agent_assigned")
        .order_by(Event.id)
    )
    found: list[int] = []
    for (data,) in rows:
        agent_id = (data or {}).get("agent_id")
        if isinstance(agent_id, int) and agent_id not in found:
            found.append(agent_id)
    return found


async def finish(
    session: AsyncSession,
    *,
    survey: Survey,
    conversation: Conversation,
    comment: str | None,
    settings: SurveySettings,
    reply: bool,
    in_reply_to_id: int | None = None,
) -> list[Message]:
    """Store the answer (event ``survey_answered``, bus ``survey.answered``, a follow-up when bad);
    with ``reply``, thank the customer (in reply to ``in_reply_to_id``: the widget shows their message
    answered) and ask NPS if it follows. Returns the messages to deliver."""
    assert survey.score is not None
    survey.state = SurveyState.ANSWERED
    survey.comment = comment
    agent_ids = await _agent_ids(session, conversation_id=conversation.id)
    data: dict[str, Any] = {
        "kind": survey.kind,
        "score": survey.score,
        "comment": comment,
        "channel": conversation.channel,
        "agent_ids": agent_ids,
        "human": bool(agent_ids),
    }
    await events.record(session, conversation_id=conversation.id, kind="survey_answered", data=data)
    emit(session, EventName.SURVEY_ANSWERED, conversation_id=conversation.id, survey_id=survey.id, **data)
    await follow_ups.create_if_bad(session, survey=survey)
    if not reply:
        return []
    out = [
        await messages_crud.add_outgoing(
            session,
            conversation=conversation,
            text=texts.thanks(conversation.language),
            buttons=None,
            sender_type="bot",
            in_reply_to_id=in_reply_to_id,
        )
    ]
    if survey.kind == CSAT and survey.then_nps:
        question = await ask(session, conversation=conversation, kind=NPS, settings=settings)
        if question is not None:
            out.append(question)
    return out


class SurveyReplies:
    """hub.seams.Intercept: a reply to the conversation's open survey."""

    def __init__(self, settings: SurveySettings) -> None:
        self._settings = settings

    async def take(
        self, session: AsyncSession, *, conversation: Conversation, message: Message
    ) -> list[Message] | None:
        survey = await open_survey(session, conversation_id=conversation.id)
        if survey is None:
            return None
        if survey.sent_at < utcnow() - timedelta(hours=self._settings.surveys_answer_hours):
            survey.state = SurveyState.DROPPED
            return None
        if survey.state == SurveyState.ASKED:
            return await self._score(session, survey, conversation, message, bot_text(message))
        return await self._comment(session, survey, conversation, message, message.text)

    async def _score(
        self, session: AsyncSession, survey: Survey, conversation: Conversation, message: Message, text: str
    ) -> list[Message] | None:
        found = answers.rating(text, survey.kind)
        if found is None:
            survey.state = SurveyState.DROPPED  # a new question: the bot answers it
            return None
        survey.score = found.score
        survey.scored_at = utcnow()
        if survey.kind == CSAT and found.comment is None:
            survey.state = SurveyState.COMMENTING
            language = conversation.language
            prompt = await messages_crud.add_outgoing(
                session,
                conversation=conversation,
                text=texts.comment_prompt(language),
                buttons=texts.comment_buttons(language),
                sender_type="bot",
                in_reply_to_id=message.id,
            )
            return [prompt]
        return await finish(
            session,
            survey=survey,
            conversation=conversation,
            comment=found.comment,
            settings=self._settings,
            reply=True,
            in_reply_to_id=message.id,
        )

    async def _comment(
        self, session: AsyncSession, survey: Survey, conversation: Conversation, message: Message, text: str
    ) -> list[Message] | None:
        settings = self._settings
        if answers.declines_comment(text):
            comment = None
        elif answers.looks_like_question(text):
            # Not a comment but a new question: the score is kept without one, and the bot answers.
            await finish(
                session,
                survey=survey,
                conversation=conversation,
                comment=None,
                settings=settings,
                reply=False,
            )
            return None
        else:
            comment = text.strip()[:_COMMENT_CHARS]
        return await finish(
            session,
            survey=survey,
            conversation=conversation,
            comment=comment,
            settings=settings,
            reply=True,
            in_reply_to_id=message.id,
        )
