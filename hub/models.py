"""Database tables of the hub: contacts, identities, conversations, messages, events, channel outbox.

The handoff package adds its tables (handoffs, agents) to the same ``Base`` (handoff/models.py): one
metadata, one chain of migrations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from hub import clock

__all__ = [
    "ApiKey",
    "Base",
    "Contact",
    "ContactIdentity",
    "ContactLink",
    "Conversation",
    "Event",
    "Message",
    "OutboxEntry",
    "utcnow",
]


#: Every timestamp the hub stores, column defaults included, comes from the one clock (hub/clock.py).
utcnow = clock.utcnow


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSONType}


class Contact(Base):
    """One person, whatever channels they write from.

    ``email`` (lower-case) and ``phone`` (digits with country code) are normalised by
    hub.contacts.details. ``*_verified``: proven by the channel (a WhatsApp number) rather than typed or
    sent in ``identify``; only verified values are unique, since anyone may type someone else's
    (issue 15, finding 2). Two contacts become one only when an agent says so (hub.contacts.merge).
    """

    __tablename__ = "contacts"
    __table_args__ = (
        sa.Index("uq_contacts_email", "email", unique=True, sqlite_where=sa.text("email_verified"),
                 postgresql_where=sa.text("email_verified")),
        sa.Index("uq_contacts_phone", "phone", unique=True, sqlite_where=sa.text("phone_verified"),
                 postgresql_where=sa.text("phone_verified")),
        sa.Index("ix_contacts_email", "email"),
        sa.Index("ix_contacts_phone", "phone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    email_verified: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    phone_verified: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContactIdentity(Base):
    """(channel, source_id) -> contact, e.g. (api, cli-7f3a) or (whatsapp, 34600111222)."""

    __tablename__ = "contact_identities"
    __table_args__ = (sa.UniqueConstraint("channel", "source_id", name="uq_identity_channel_source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(32))
    source_id: Mapped[str] = mapped_column(sa.String(200))
    # The channel proves it: a WhatsApp number (the signed webhook's ``from``), a widget session (its
    # hub-signed token), an api customer (the integration's API key).
    verified: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContactLink(Base):
    """A suggested link (hub.contacts.suggestions): ``contact_id`` was given an email or phone (typed,
    or sent in ``identify``) that ``other_contact_id`` holds. ``state``: open -> confirmed (an agent
    merged the two, ``agent_id``) | dismissed. Never merges by itself."""

    __tablename__ = "contact_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Erasing a contact (hub/privacy) takes its links with it; a merge moves them first.
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    other_contact_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(sa.String(8))  # email | phone
    value: Mapped[str] = mapped_column(sa.String(254))
    other_verified: Mapped[bool] = mapped_column()  # the other contact's detail is proven (WhatsApp)
    state: Mapped[str] = mapped_column(sa.String(16), default="open")
    agent_id: Mapped[int | None] = mapped_column()  # who confirmed or dismissed it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()


class Conversation(Base):
    """A contact's conversation on one channel. Status changes only through hub.status."""

    __tablename__ = "conversations"
    __table_args__ = (
        # At most one unresolved conversation per contact identity (a merged contact has several).
        sa.Index(
            "uq_conversation_active",
            "contact_id",
            "channel",
            "source_id",
            unique=True,
            sqlite_where=sa.text("status != 'resolved'"),
            postgresql_where=sa.text("status != 'resolved'"),
        ),
        # Sweeps over one status by age (the surveys' silent bot conversations; KPIs).
        sa.Index("ix_conversations_status_updated_at", "status", "updated_at"),
        # Reports (kpis/) select the conversations created in a period.
        sa.Index("ix_conversations_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(32))
    source_id: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    language: Mapped[str] = mapped_column(sa.String(8), default="es")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column()


class Message(Base):
    """A customer (incoming), bot/agent (outgoing) or system (activity) message."""

    __tablename__ = "messages"
    __table_args__ = (
        sa.UniqueConstraint("channel", "contact_id", "client_message_id", name="uq_message_client_id"),
        sa.Index("ix_messages_conversation_id_id", "conversation_id", "id"),
        sa.Index("ix_messages_bot_state", "bot_state"),
        # Deleting a contact's messages (hub/privacy) checks these foreign keys row by row.
        sa.Index("ix_messages_contact_id", "contact_id"),
        sa.Index("ix_messages_in_reply_to_id", "in_reply_to_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversations.id"))
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id"))
    channel: Mapped[str] = mapped_column(sa.String(32))
    message_type: Mapped[str] = mapped_column(sa.String(16))  # incoming | outgoing | activity
    sender_type: Mapped[str] = mapped_column(sa.String(16))  # contact | bot | agent | system
    client_message_id: Mapped[str | None] = mapped_column(sa.String(200))
    channel_message_id: Mapped[str | None] = mapped_column(sa.String(200))
    text: Mapped[str] = mapped_column(sa.Text)
    buttons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(sa.String(16))  # received | sent | delivered | read | failed
    # Incoming messages only: queued -> done | skipped | failed.
    bot_state: Mapped[str | None] = mapped_column(sa.String(16))
    bot_attempts: Mapped[int] = mapped_column(default=0)
    # When the hub first sent it to Rasa: a later try reads Rasa's tracker first (hub/bot_tracker.py).
    bot_asked_at: Mapped[datetime | None] = mapped_column()
    language: Mapped[str | None] = mapped_column(sa.String(8))
    # Bot context of an incoming turn: {"nlu": {...}, "kb": {...}}.
    context: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    in_reply_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("messages.id"))
    # Why delivery failed (status "failed"): {"code", "message", ...} from the channel.
    delivery_error: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Event(Base):
    """A timestamped state change; KPIs are computed from these rows.

    Conversation events have ``conversation_id``; contact events (``contact_merged``) have
    ``contact_id`` instead.
    """

    __tablename__ = "events"
    __table_args__ = (
        sa.Index("ix_events_conversation_id_created_at", "conversation_id", "created_at"),
        sa.Index("ix_events_kind_created_at", "kind", "created_at"),
        sa.Index("ix_events_message_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("conversations.id"))
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("messages.id"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    data: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxEntry(Base):
    """One persisted send to a channel's API (e.g. one WhatsApp Graph call), retried until done.

    ``state``: pending -> done | failed (the send itself). ``delivery``: the channel's own
    status reports for ``channel_message_id`` (sent -> delivered -> read, or failed).
    """

    __tablename__ = "channel_outbox"
    __table_args__ = (
        sa.UniqueConstraint("message_id", "part", name="uq_outbox_message_part"),
        sa.Index("ix_channel_outbox_state_due", "state", "next_attempt_at"),
        sa.Index("ix_channel_outbox_channel_message_id", "channel_message_id"),
        sa.Index("ix_channel_outbox_conversation_id", "conversation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(32))
    kind: Mapped[str] = mapped_column(sa.String(16))  # message | read
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversations.id"))
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("messages.id"))
    part: Mapped[int] = mapped_column(default=0)
    payload: Mapped[dict[str, Any]] = mapped_column()
    state: Mapped[str] = mapped_column(sa.String(16), default="pending")
    delivery: Mapped[str | None] = mapped_column(sa.String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    error: Mapped[dict[str, Any] | None] = mapped_column()
    channel_message_id: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


class ApiKey(Base):
    """A credential of a caller of the channel-neutral API (hub/api_keys.py): only its SHA-256 is stored.

    ``scopes``: space-separated, e.g. ``messages:write conversations:read``. A revoked key stays for the
    record (``revoked_at``) and never authenticates again.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))  # the key's first characters, to tell keys apart
    scopes: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class MediaFile(Base):
    """A file a customer sent (a WhatsApp photo, audio, video, document or sticker), kept for agents.

    ``state``: stored (``data`` holds the file) | failed (``error``: code, message, retryable: why the
    hub has no file). No row yet: the download has not finished (hub/media_store.py). In the database,
    not DATA_DIR: every web process and worker reads it without a shared disk, and a contact's export,
    erasure and RETENTION_DAYS reach it through its foreign key (hub/privacy).
    """

    __tablename__ = "media_files"
    __table_args__ = (sa.UniqueConstraint("message_id", name="uq_media_files_message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("messages.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(sa.String(16))
    error: Mapped[dict[str, Any] | None] = mapped_column()
    mime_type: Mapped[str | None] = mapped_column(sa.String(255))
    size: Mapped[int | None] = mapped_column()
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    data: Mapped[bytes | None] = mapped_column(sa.LargeBinary())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
