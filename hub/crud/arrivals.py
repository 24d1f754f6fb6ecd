"""The statements that store a customer's message: the receipt's hot path, in few round trips.

A known customer writing into their open conversation costs three statements (``find``,
``touch_active``, ``insert_incoming``) as SQLAlchemy Core, not ORM flushes: at 100 messages/s
the ORM's unit of work alone took most of a core. A first message adds ``insert_contact`` and
``open_conversation`` (two Core statements each): a burst of new customers, as when a campaign
goes out, must not cost twice as much per message. A resent message uses the ORM helpers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.crud import events
from hub.models import Contact, ContactIdentity, Conversation, Message, utcnow
from hub.status import ConversationStatus

__all__ = [
    "Known",
    "find",
    "insert_contact",
    "insert_incoming",
    "open_conversation",
    "touch_active",
    "touch_recently_resolved",
    "update_contact",
]

_ACTIVE_ID = (
    sa.select(Conversation.id)
    .where(
        Conversation.contact_id == Contact.id,
        Conversation.channel == sa.bindparam("channel"),
        Conversation.source_id == sa.bindparam("source_id"),
        Conversation.status != ConversationStatus.RESOLVED,
    )
    .scalar_subquery()
)
_EXISTING_ID = (
    sa.select(Message.id)
    .where(
        Message.channel == sa.bindparam("channel"),
        Message.contact_id == Contact.id,
        Message.client_message_id == sa.bindparam("client_message_id"),
    )
    .scalar_subquery()
)
_FIND = (
    sa.select(
        Contact.id,
        Contact.name,
        Contact.email,
        Contact.email_verified,
        Contact.phone,
        Contact.phone_verified,
        _EXISTING_ID.label("message_id"),
        _ACTIVE_ID.label("conversation_id"),
    )
    .join(ContactIdentity, ContactIdentity.contact_id == Contact.id)
    .where(
        ContactIdentity.channel == sa.bindparam("channel"),
        ContactIdentity.source_id == sa.bindparam("source_id"),
    )
)
# Table statements built once, run with parameters: no ORM bulk path, compiled once.
_conversations = cast(sa.Table, Conversation.__table__)
_messages = cast(sa.Table, Message.__table__)
_contacts = cast(sa.Table, Contact.__table__)
_identities = cast(sa.Table, ContactIdentity.__table__)
_INSERT_CONTACT = sa.insert(_contacts).returning(_contacts.c.id)
_INSERT_IDENTITY = sa.insert(_identities)
_INSERT_CONVERSATION = sa.insert(_conversations).returning(*_conversations.c)
_TOUCH = (
    sa.update(_conversations)
    .where(
        _conversations.c.id == sa.bindparam("b_conversation"),
        _conversations.c.contact_id == sa.bindparam("b_contact"),
        _conversations.c.status != ConversationStatus.RESOLVED,
    )
    .values(updated_at=sa.bindparam("b_now"))
    .returning(*_conversations.c)
)
_INSERT_MESSAGE = sa.insert(_messages).returning(_messages.c.id)
_RECENTLY_RESOLVED_ID = (
    sa.select(_conversations.c.id)
    .where(
        _conversations.c.contact_id == sa.bindparam("b_contact"),
        _conversations.c.channel == sa.bindparam("b_channel"),
        _conversations.c.source_id == sa.bindparam("b_source"),
        _conversations.c.status == ConversationStatus.RESOLVED,
        _conversations.c.resolved_at >= sa.bindparam("b_since"),
    )
    .order_by(_conversations.c.resolved_at.desc(), _conversations.c.id.desc())
    .limit(1)
    .scalar_subquery()
)
_TOUCH_RESOLVED = (
    sa.update(_conversations)
    .where(
        _conversations.c.id == _RECENTLY_RESOLVED_ID,
        _conversations.c.status == ConversationStatus.RESOLVED,
    )
    .values(updated_at=sa.bindparam("b_now"))
    .returning(*_conversations.c)
)


@dataclass(frozen=True)
class Known:
    """What the database knows of the writer: their contact, the message if it is a resend, and
    their identity's unresolved conversation (not locked yet: :func:`touch_active` locks it)."""

    contact_id: int
    name: str | None
    email: str | None
    email_verified: bool
    phone: str | None
    phone_verified: bool
    message_id: int | None
    conversation_id: int | None
    created: bool = False  # inserted just now (insert_contact): no conversation of theirs exists


async def find(
    session: AsyncSession, *, channel: str, source_id: str, client_message_id: str
) -> Known | None:
    """One round trip: the identity's contact, the stored message with that client id, the active
    conversation. None for a customer never seen on this channel."""
    params = {"channel": channel, "source_id": source_id, "client_message_id": client_message_id}
    connection = await session.connection()
    row = (await connection.execute(_FIND, params)).first()
    return None if row is None else Known(*row)


async def insert_contact(session: AsyncSession, *, channel: str, source_id: str) -> Known:
    """A first message: a new contact known by (channel, source_id). A concurrent first message of
    the same writer fails the identity's INSERT (IntegrityError: the caller retries and finds it)."""
    connection = await session.connection()
    contact_id = (await connection.execute(_INSERT_CONTACT, {"created_at": utcnow()})).scalar_one()
    identity = {"contact_id": contact_id, "channel": channel, "source_id": source_id}
    await connection.execute(_INSERT_IDENTITY, identity)
    return Known(contact_id, None, None, False, None, False, None, None, created=True)


async def open_conversation(
    session: AsyncSession, *, contact_id: int, channel: str, source_id: str, language: str
) -> Conversation:
    """A new conversation owned by the bot (status ``pending``) and its ``conversation_created``
    event. A concurrent one for the same identity fails the INSERT (uq_conversation_active).
    The object returned is detached."""
    values = {
        "contact_id": contact_id,
        "channel": channel,
        "source_id": source_id,
        "status": ConversationStatus.PENDING,
        "language": language,
    }
    connection = await session.connection()
    row = (await connection.execute(_INSERT_CONVERSATION, values)).one()
    conversation = Conversation(**row._asdict())
    await events.record(session, conversation_id=conversation.id, kind="conversation_created")
    return conversation


async def touch_active(
    session: AsyncSession, *, conversation_id: int, contact_id: int
) -> Conversation | None:
    """Lock the conversation and mark it updated, if it is still the contact's and unresolved.

    An UPDATE takes PostgreSQL's ``FOR NO KEY UPDATE`` row lock: messages of one conversation are
    stored one at a time, a merge (hub.contacts, ``FOR UPDATE NOWAIT``) retries instead of moving
    the conversation under them, and a bot reply being stored (``FOR KEY SHARE``) does not hold
    the customer's next message up. None when it was resolved or moved meanwhile: the caller
    starts a new conversation (or retries, see hub.intake). The object returned is detached.
    """
    params = {"b_conversation": conversation_id, "b_contact": contact_id, "b_now": utcnow()}
    connection = await session.connection()
    row = (await connection.execute(_TOUCH, params)).first()
    return None if row is None else Conversation(**row._asdict())


async def touch_recently_resolved(
    session: AsyncSession, *, contact_id: int, channel: str, source_id: str, since: datetime
) -> Conversation | None:
    """Lock and touch the identity's latest conversation resolved at or after ``since`` (the reopen
    window), still resolved; None when there is none. Only asked when the identity has no unresolved
    conversation, so a known customer's message in an active conversation costs nothing more. The
    message then joins it; the drain reopens it unless a plug-in takes the message (a survey's rating,
    hub/seams.py ``Intercept``). The object returned is detached."""
    params = {
        "b_contact": contact_id,
        "b_channel": channel,
        "b_source": source_id,
        "b_since": since,
        "b_now": utcnow(),
    }
    connection = await session.connection()
    row = (await connection.execute(_TOUCH_RESOLVED, params)).first()
    return None if row is None else Conversation(**row._asdict())


async def insert_incoming(
    session: AsyncSession,
    *,
    conversation: Conversation,
    text: str,
    client_message_id: str,
    language: str | None,
    bot_state: str,
    context: dict[str, Any] | None,
) -> Message:
    """INSERT the customer's message; the unique client id makes a concurrent resend fail here
    (IntegrityError: the caller retries and finds it). Returns it detached, id set."""
    values: dict[str, Any] = {
        "conversation_id": conversation.id,
        "contact_id": conversation.contact_id,
        "channel": conversation.channel,
        "message_type": "incoming",
        "sender_type": "contact",
        "client_message_id": client_message_id,
        "text": text,
        "status": "received",
        "bot_state": bot_state,
        "bot_attempts": 0,
        "language": language,
        "context": context,
        "created_at": utcnow(),  # set here: the receipt carries it
    }
    # Columns left out are NULL; a JSON column given None would store JSON null instead.
    stored = {k: v for k, v in values.items() if v is not None}
    connection = await session.connection()
    message_id = (await connection.execute(_INSERT_MESSAGE, stored)).scalar_one()
    return Message(id=message_id, **values)


async def update_contact(session: AsyncSession, *, contact_id: int, values: dict[str, Any]) -> None:
    """Set the contact's name, email or phone (a proven one is unique: a concurrent taker fails the
    commit). What to set: hub.contacts.linking.plan."""
    connection = await session.connection()
    await connection.execute(sa.update(_contacts).where(_contacts.c.id == contact_id).values(**values))
