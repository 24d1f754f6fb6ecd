"""After a resolution: the closing message, then the first survey question; the questions themselves.

Listens to ``conversation.resolved`` (hub/status.py). An agent's resolution is followed by CSAT, a
share of the bot's (SURVEYS_BOT_CSAT_SHARE) too; NPS follows the CSAT (or comes alone) when the contact
was not asked one in SURVEYS_NPS_EVERY_DAYS. On WhatsApp nothing is asked outside the 24-hour
customer-service window (a survey is no reason to pay for a template): the event ``survey_not_sent``
says so. Abandoned conversations (the customer left) get neither the closing message nor a survey.
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
from hub.channels import whatsapp_window
from hub.channels.whatsapp_outbox import CHANNEL as WHATSAPP
from hub.crud import conversations, events
from hub.crud import messages as messages_crud
from hub.delivery import Delivery
from hub.models import Conversation, Message, utcnow
from surveys import texts
from surveys.models import CSAT, NPS, Survey, SurveyState
from surveys.settings import SurveySettings

__all__ = ["OPEN_STATES", "Asking", "ask", "open_survey"]

log = logging.getLogger(__name__)

#: Resolutions that end with a closing message and maybe a survey (``resolved`` event ``by``).
SURVEYED_BY = ("agent", "bot")
OPEN_STATES = (SurveyState.ASKED, SurveyState.COMMENTING)


async def open_survey(session: AsyncSession, *, conversation_id: int) -> Survey | None:
    """The conversation's survey waiting for a score or a comment, if any (the latest)."""
    query = (
        sa.select(Survey)
        .where(Survey.conversation_id == conversation_id, Survey.state.in_(OPEN_STATES))
        .order_by(Survey.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def _window_open(session: AsyncSession, conversation: Conversation) -> bool:
    """WhatsApp: the customer wrote in the last 24 hours (hub/channels/whatsapp_window.py)."""
    if conversation.channel != WHATSAPP:
        return True
    return whatsapp_window.open_since(await whatsapp_window.last_incoming(session, conversation))


async def nps_due(session: AsyncSession, *, contact_id: int, settings: SurveySettings) -> bool:
    days = settings.surveys_nps_every_days
    if days <= 0:
        return False
    asked = await session.scalar(
        sa.select(sa.func.count(Survey.id)).where(
            Survey.contact_id == contact_id,
            Survey.kind == NPS,
            Survey.sent_at >= utcnow() - timedelta(days=days),
        )
    )
    return not asked


async def ask(
    session: AsyncSession,
    *,
    conversation: Conversation,
    kind: str,
    settings: SurveySettings,
    then_nps: bool = False,
) -> Message | None:
    """Store the question (a ``surveys`` row, the outgoing message, event ``survey_not_sent``); None, and
    the event ``survey_not_sent``, outside WhatsApp's 24-hour window or when nothing can be answered."""
    if settings.surveys_answer_hours <= 0:  # REOPEN_WINDOW_HOURS=0: a rating could not reach it (plugin.py)
        data = {"kind": kind, "why": "reopen_window_off"}
        await events.record(session, conversation_id=conversation.id, kind="survey_not_sent", data=data)
        return None
    if not await _window_open(session, conversation):
        data = {"kind": kind, "why": "outside_whatsapp_window"}
        await events.record(session, conversation_id=conversation.id, kind="survey_not_sent", data=data)
        log.info("survey not sent: outside the 24h window", extra={"conversation_id": conversation.id})
        return None
    language = conversation.language
    whatsapp = conversation.channel == WHATSAPP
    if kind == CSAT:
        text = texts.csat_question(language)
        buttons = texts.buttons_for(CSAT, language, style=settings.surveys_csat_style)
    else:  # NPS: eleven buttons do not fit a WhatsApp list (ten rows): there the number is typed
        text = texts.nps_question(language, typed=whatsapp)
        buttons = [] if whatsapp else texts.buttons_for(NPS, language)
    survey = Survey(
        conversation_id=conversation.id, contact_id=conversation.contact_id, kind=kind, then_nps=then_nps
    )
    session.add(survey)
    message = await messages_crud.add_outgoing(
        session, conversation=conversation, text=text, buttons=buttons, sender_type="bot", in_reply_to_id=None
    )
    data = {"kind": kind}
    await events.record(
        session, conversation_id=conversation.id, kind="survey_sent", message_id=message.id, data=data
    )
    return message


async def _drop_open(session: AsyncSession, *, conversation_id: int) -> None:
    """An earlier survey still open (the conversation was reopened and resolved again) is dropped."""
    await session.execute(
        sa.update(Survey)
        .where(Survey.conversation_id == conversation_id, Survey.state.in_(OPEN_STATES))
        .values(state=SurveyState.DROPPED)
    )


class Asking:
    """The ``conversation.resolved`` listener."""

    def __init__(
        self,
        *,
        db: Database,
        delivery: Delivery,
        settings: SurveySettings,
        chance: Callable[[], float] = random.random,
    ) -> None:
        self._db = db
        self._delivery = delivery
        self._settings = settings
        self._chance = chance

    def subscribe(self, bus: EventBus) -> None:
        bus.subscribe(EventName.CONVERSATION_RESOLVED, self.resolved)

    async def _kind(
        self, session: AsyncSession, conversation: Conversation, by: str
    ) -> tuple[str | None, bool]:
        """Which question first, and whether NPS follows it."""
        due = await nps_due(session, contact_id=conversation.contact_id, settings=self._settings)
        if by == "agent" or self._chance() < self._settings.surveys_bot_csat_share:
            return CSAT, due
        return (NPS, False) if due else (None, False)

    async def resolved(self, event: BusEvent) -> None:
        by, why = str(event.data.get("cause")), event.data.get("why")
        if by not in SURVEYED_BY or event.conversation_id is None:
            return
        async with self._db.unit_of_work() as uow:
            async with uow.transaction() as session:
                conversation = await conversations.get(session, conversation_id=event.conversation_id)
                if conversation is None or not status.is_resolved(conversation):
                    return
                await _drop_open(session, conversation_id=conversation.id)
                closing = await messages_crud.add_activity(
                    session,
                    conversation=conversation,
                    text=texts.closing(conversation.language, after_goodbye=why == "goodbye"),
                    data={"resolved_by": by},
                )
                out = [closing]
                kind, then_nps = await self._kind(session, conversation, by)
                if kind is not None:
                    question = await ask(
                        session,
                        conversation=conversation,
                        kind=kind,
                        settings=self._settings,
                        then_nps=then_nps,
                    )
                    if question is not None:
                        out.append(question)
            await self._delivery.deliver(conversation=conversation, messages=out)
