"""Receive a customer's message: persist contact, conversation and message, then acknowledge.

The receipt is produced as soon as the message is committed, before any NLU. The same
client message id sent twice (also concurrently) yields the same stored message: the unique
constraint decides, and the loser of a race reads the winner's row.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hub import bot_state, db_errors, metrics, status
from hub.bus import Database, EventName, UnitOfWork, emit
from hub.channels.base import Channel, StagesReceipts
from hub.contacts import linking
from hub.contacts.details import ContactDetails, Detail, extract, given_then_written
from hub.crud import arrivals, conversations
from hub.crud import messages as messages_crud
from hub.crud.arrivals import Known
from hub.delivery import Delivery
from hub.errors import TextTooLong, UnknownChannel
from hub.jobs import JobQueue
from hub.models import Conversation, Message, utcnow
from hub.schemas import IncomingMessage, Receipt
from hub.settings import Settings

__all__ = ["Intake", "Receiver"]

log = logging.getLogger(__name__)

_ATTEMPTS = 4
_RETRYABLE = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure


@dataclass(frozen=True)
class Intake:
    receipt: Receipt
    message: Message
    conversation: Conversation
    created: bool  # False when the client message id was already stored


@dataclass(frozen=True)
class _Extra:
    contact_name: str | None = None
    context: dict[str, Any] | None = None
    to_bot: bool = True
    details: list[Detail] = field(default_factory=list)
    name: str | None = None  # given by the channel's metadata: fills in only


async def _fill_in(session: AsyncSession, known: Known, extra: _Extra) -> None:
    """Give the contact, in the message's transaction, its name and the details it should take
    (hub.contacts.linking: a typed one never merges; another contact's is a suggested link). The
    common case, a known WhatsApp number, costs no statement."""
    values = await linking.plan(session, contact_id=known.contact_id, current=known, details=extra.details)
    if extra.contact_name and known.name != extra.contact_name:
        values["name"] = extra.contact_name  # the channel's profile name
    elif extra.name and not known.name:
        values["name"] = extra.name
    if values:
        await arrivals.update_contact(session, contact_id=known.contact_id, values=values)


async def _known(session: AsyncSession, incoming: IncomingMessage) -> Known:
    """The writer as the database knows them; a first message creates the contact and identity."""
    known = await arrivals.find(
        session,
        channel=incoming.channel,
        source_id=incoming.source_id,
        client_message_id=incoming.client_message_id,
    )
    if known is not None:
        return known
    # arrivals.find just saw no such identity; a concurrent first message fails the insert and
    # receive() retries (then finds it).
    return await arrivals.insert_contact(session, channel=incoming.channel, source_id=incoming.source_id)


async def _shown_text(
    session: AsyncSession, conversation: Conversation, text: str, context: dict[str, Any] | None
) -> tuple[str, dict[str, Any] | None]:
    """A quick reply the widget sent as its payload (``/choose_faq{...}``) is stored as the title the
    customer tapped (what agents, summaries and history show) with the payload as ``bot_text`` (what
    the bot reads), like WhatsApp's interactive replies; any other text is stored as sent."""
    if (context or {}).get("bot_text") is not None:
        return text, context
    choice = await messages_crud.offered_choice(session, conversation_id=conversation.id, text=text)
    if choice is None:
        return text, context
    return choice["title"], {**(context or {}), "bot_text": choice["payload"]}


async def _resent(session: AsyncSession, message_id: int) -> Intake:
    """A client message id already stored: the same receipt again, nothing new."""
    existing = await messages_crud.get(session, message_id=message_id)
    assert existing is not None
    conversation = await conversations.get(session, conversation_id=existing.conversation_id)
    assert conversation is not None
    return Intake(Receipt.of(existing), existing, conversation, created=False)


class Receiver:
    """Every channel's way in: store a customer message once, acknowledge it, queue it for the bot."""

    def __init__(
        self,
        *,
        db: Database,
        delivery: Delivery,
        jobs: JobQueue,
        channels: Mapping[str, Channel],
        settings: Settings,
    ) -> None:
        self._db = db
        self._delivery = delivery
        self._jobs = jobs
        self._channels = channels
        self._settings = settings

    def validate(self, incoming: IncomingMessage) -> None:
        """Checks that need settings; raise before anything is stored."""
        if incoming.channel not in self._channels:
            raise UnknownChannel(incoming.channel, sorted(self._channels))
        limit = self._settings.max_text_chars
        if len(incoming.text) > limit:
            raise TextTooLong(len(incoming.text), limit)

    async def _store(self, uow: UnitOfWork, incoming: IncomingMessage, extra: _Extra) -> Intake:
        async with uow.transaction() as session:
            known = await _known(session, incoming)
            if known.message_id is not None:
                return await _resent(session, known.message_id)
            conversation = None
            if known.conversation_id is not None:
                conversation = await arrivals.touch_active(
                    session, conversation_id=known.conversation_id, contact_id=known.contact_id
                )
            # A contact created by this message has no conversation to reopen: no statement for it.
            if conversation is None and not known.created and self._settings.reopen_window_hours > 0:
                conversation = await arrivals.touch_recently_resolved(
                    session,
                    contact_id=known.contact_id,
                    channel=incoming.channel,
                    source_id=incoming.source_id,
                    since=utcnow() - timedelta(hours=self._settings.reopen_window_hours),
                )
            if conversation is None:
                conversation = await arrivals.open_conversation(
                    session,
                    contact_id=known.contact_id,
                    channel=incoming.channel,
                    source_id=incoming.source_id,
                    language=incoming.language or self._settings.default_language,
                )
                created = EventName.CONVERSATION_CREATED
                emit(session, created, conversation_id=conversation.id, channel=incoming.channel)
            # A resolved conversation (within the reopen window) is reopened, or its message taken by a
            # plug-in, by the drain (hub/turns/drain.py): the message waits for it like a bot turn.
            bot_owns = status.is_bot_owned(conversation) or status.is_resolved(conversation)
            state = bot_state.initial(bot_owns_conversation=bot_owns, readable=extra.to_bot)
            text, context = await _shown_text(session, conversation, incoming.text, extra.context)
            message = await arrivals.insert_incoming(
                session,
                conversation=conversation,
                text=text,
                client_message_id=incoming.client_message_id,
                language=incoming.language,
                bot_state=state,
                context=context,
            )
            emit(
                session,
                EventName.MESSAGE_RECEIVED,
                conversation_id=conversation.id,
                message_id=message.id,
                channel=incoming.channel,
                bot_state=state,
            )
            if state == bot_state.SKIPPED:
                skipped = EventName.MESSAGE_SKIPPED
                emit(session, skipped, conversation_id=conversation.id, message_id=message.id)
            channel = self._channels.get(incoming.channel)
            if isinstance(channel, StagesReceipts):
                await channel.stage_receipt(session, conversation, message)
            await _fill_in(session, known, extra)
            return Intake(Receipt.of(message), message, conversation, created=True)

    async def receive(
        self,
        incoming: IncomingMessage,
        *,
        contact_name: str | None = None,
        context: dict[str, Any] | None = None,
        to_bot: bool = True,
        details: ContactDetails | None = None,
    ) -> Intake:
        """Store the message (once) and acknowledge it; the bot's answer comes asynchronously.

        Channels may pass the contact's display name, a ``context`` for the stored message (e.g.
        ``{"bot_text": ...}``: what the bot gets instead of ``text``, or a media id for agents), and
        ``to_bot=False`` for messages the bot cannot read (stored with ``bot_state = skipped``).
        ``details``: who the customer is as the channel knows it (a WhatsApp number, proven; a widget
        visitor's email, not); with an email or phone number written in the text (never proven) they
        fill in the contact, and one another contact has becomes a suggested link (hub.contacts.linking).
        """
        self.validate(incoming)
        arrived = time.perf_counter()
        country_code = self._settings.phone_default_country_code
        given = (details or ContactDetails()).normalized(country_code)
        found = given_then_written(given, extract(incoming.text, country_code))
        extra = _Extra(
            contact_name=contact_name, context=context, to_bot=to_bot, details=found, name=given.name
        )
        uow = self._db.unit_of_work()  # a failed attempt's events are dropped with its transaction
        for attempt in range(_ATTEMPTS):
            try:
                intake = await self._store(uow, incoming, extra)
                break
            except IntegrityError:
                # A concurrent request created the same identity, conversation or message, or a merge
                # (hub.contacts.merge) removed the contact: the next attempt finds the moved identity.
                if attempt == _ATTEMPTS - 1:
                    raise
            except DBAPIError as exc:
                # PostgreSQL chose this transaction to break a deadlock with a merge: nothing was stored.
                if not db_errors.lost_race(exc, _RETRYABLE) or attempt == _ATTEMPTS - 1:
                    raise
        metrics.RECEIPTS.labels(incoming.channel).inc()
        metrics.RECEIPT_SECONDS.labels(incoming.channel).observe(time.perf_counter() - arrived)
        if not intake.created:
            return intake
        metrics.MESSAGES_RECEIVED.labels(incoming.channel).inc()
        log.info(
            "message received",
            extra={
                "message_id": intake.message.id,
                "conversation_id": intake.conversation.id,
                "bot_state": intake.message.bot_state,
            },
        )
        await self._delivery.announce_incoming(conversation=intake.conversation, message=intake.message)
        if intake.message.bot_state == bot_state.QUEUED:
            try:
                await self._jobs.enqueue(intake.message.id, conversation_id=intake.conversation.id)
            except Exception:
                # Still queued in the database: picked up again at the next start.
                log.exception("could not enqueue", extra={"message_id": intake.message.id})
        # message.received, message.skipped (people own it: handoff/listeners.py acknowledges an email
        # left while queued outside business hours), conversation.created
        await uow.flush()
        return intake
