"""Tables of the handoff desk: handoff requests, agents and their login sessions (on the hub's ``Base``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub.models import Base, JSONType, utcnow

__all__ = [
    "ADMIN",
    "AGENT_ROLES",
    "AGENT_STATUSES",
    "SUPERVISOR",
    "Agent",
    "AgentToken",
    "Handoff",
    "RasaTrackerEvent",
]

AGENT_STATUSES = ("online", "away", "offline")
#: An ``agent`` acts on conversations assigned to them or waiting for them (handoff/permissions.py);
#: a ``supervisor`` on any, claims past language and skill, reassigns and takes over conversations,
#: exports or erases a contact's data; an ``admin`` does all a supervisor does and manages the agents.
SUPERVISOR = "supervisor"
ADMIN = "admin"
AGENT_ROLES = ("agent", SUPERVISOR, ADMIN)


class Agent(Base):
    """A person who answers customers; gets conversations matching languages and skills."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    status: Mapped[str] = mapped_column(sa.String(16), default="offline")  # online | away | offline
    languages: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    skills: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    max_concurrent: Mapped[int] = mapped_column(default=3)
    # Round-robin: the online agent assigned longest ago gets the next conversation.
    last_assigned_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Wrong passwords in a row; at LOCK_AFTER the login is refused until locked_until.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column()
    disabled_at: Mapped[datetime | None] = mapped_column()  # set by an admin: no login at all
    role: Mapped[str] = mapped_column(sa.String(16), default="agent", server_default="agent")
    # Set by an admin (handoff/team.py: create, reset): the console asks the agent to choose their own.
    password_temporary: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class AgentToken(Base):
    """A login session: the SHA-256 of the bearer token (the token itself is never stored)."""

    __tablename__ = "agent_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(sa.ForeignKey("agents.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()


class Handoff(Base):
    """A request to hand a conversation to humans, with its reason; claimed/ended later."""

    __tablename__ = "handoffs"
    __table_args__ = (sa.Index("ix_handoffs_state_priority", "state", "priority", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversations.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("messages.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(40))
    detail: Mapped[dict[str, Any] | None] = mapped_column()
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column()
    agent_id: Mapped[int | None] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
    # The queue (handoff/queue.py): 2 high, 1 normal, 0 low; routed by language and skill.
    priority: Mapped[int] = mapped_column(default=1, server_default="1")
    language: Mapped[str | None] = mapped_column(sa.String(8))
    skill: Mapped[str | None] = mapped_column(sa.String(40))
    # waiting -> assigned -> ended | abandoned; "noted" when humans already owned the conversation.
    state: Mapped[str] = mapped_column(sa.String(16), default="waiting", server_default="waiting")
    ended_reason: Mapped[str | None] = mapped_column(sa.String(24))  # resolved | handed_back | abandoned


class RasaTrackerEvent(Base):
    """A pause/resume event for Rasa's tracker of one conversation, kept until Rasa accepted it.

    Written in the transaction that hands the conversation to people or back to the bot
    (handoff/rasa_tracker.py), sent after the commit and retried while Rasa is down; a
    conversation's events go out in order (``id``).
    """

    __tablename__ = "rasa_tracker_outbox"
    __table_args__ = (
        sa.Index("ix_rasa_tracker_outbox_due", "sent_at", "conversation_id", "id"),
        sa.Index("ix_rasa_tracker_outbox_conversation_id", "conversation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversations.id"))
    event: Mapped[str] = mapped_column(sa.String(16))  # pause | resume
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    error: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


class CannedReply(Base):
    """A reply agents insert by typing "/shortcut" in the console: shared (``owner_agent_id`` None, made by
    supervisors) or personal (that agent's own); one text per language (handoff/canned.py)."""

    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    shortcut: Mapped[str] = mapped_column(sa.String(32), index=True)
    title: Mapped[str] = mapped_column(sa.String(80))
    texts: Mapped[dict[str, Any]] = mapped_column(JSONType)  # {"es": "...", "en": "..."}
    owner_agent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agents.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConversationLabel(Base):
    """A label agents put on a conversation ("reembolso", "vip"): shown in the queue, counted in reports."""

    __tablename__ = "conversation_labels"
    __table_args__ = (sa.UniqueConstraint("conversation_id", "label", name="uq_conversation_labels"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(sa.String(40), index=True)
    agent_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
