"""Tables of the learning signals (on the hub's ``Base``): one row per signal, one per "¿Te ha servido?"."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

import handoff.models  # noqa: F401  (agents, which a label points at, on Base.metadata)
from hub.models import Base, utcnow

__all__ = ["AskState", "FeedbackAsk", "Kind", "Signal", "Strength"]


class Kind(StrEnum):
    """What a signal says about the bot's decision on a customer's query."""

    HELPFUL = "helpful"  # the customer: the answer helped ("¿Te ha servido?" -> Sí)
    NOT_HELPFUL = "not_helpful"  # the customer: it did not (-> No; a person is offered at once)
    FAQ = "faq"  # an agent: FAQ ``expected`` answers this
    NO_FAQ = "no_faq"  # an agent: no FAQ covers this (the right move is a person)
    NOT_QUESTION = "not_question"  # an agent: not a question (a greeting, a reply, noise)
    CLARIFY_PICK = "clarify_pick"  # the customer picked ``expected`` among a clarify's options
    CLARIFY_NONE = "clarify_none"  # the customer said none of a clarify's options fits
    PERSON_AFTER_ANSWER = "person_after_answer"  # asked for a person right after an FAQ answer


AGENT_KINDS = (Kind.FAQ, Kind.NO_FAQ, Kind.NOT_QUESTION)


class Strength(StrEnum):
    """How much a signal is worth, strongest first."""

    CONFIRMED = "confirmed"  # an agent's label
    EXPLICIT = "explicit"  # the customer said so
    IMPLICIT = "implicit"  # inferred from what the customer did: weaker evidence


STRENGTH_ORDER = (Strength.CONFIRMED, Strength.EXPLICIT, Strength.IMPLICIT)


class Signal(Base):
    """One piece of evidence about the bot's decision on one customer message (the query)."""

    __tablename__ = "learning_signals"
    __table_args__ = (
        sa.Index("ix_learning_signals_message_id_kind", "message_id", "kind"),
        sa.Index("ix_learning_signals_strength_id", "strength", "id"),
        sa.Index("ix_learning_signals_conversation_id", "conversation_id"),
        # An erasure deletes through every foreign key to a contact or message (hub/privacy).
        sa.Index("ix_learning_signals_contact_id", "contact_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    strength: Mapped[str] = mapped_column(sa.String(12))
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversations.id", ondelete="CASCADE"))
    #: The customer's query (an incoming message).
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("messages.id", ondelete="CASCADE"))
    #: Who gave the signal: the customer (contact), or the agent who labelled.
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id", ondelete="CASCADE"))
    agent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(8))
    #: The bot's decision on the query (answer | clarify | handoff; None: no FAQ decision was made).
    decision: Mapped[str | None] = mapped_column(sa.String(16))
    #: The entry the bot answered or ranked first, and its score.
    entry_id: Mapped[str | None] = mapped_column(sa.String(200))
    score: Mapped[float | None] = mapped_column(sa.Float)
    #: The knowledge base's whole decision as stored on the message (reason, candidates with scores).
    kb: Mapped[dict[str, Any] | None] = mapped_column()
    #: The entry that answers the query according to this signal (None with no_faq / clarify_none).
    expected: Mapped[str | None] = mapped_column(sa.String(200))


class AskState(StrEnum):
    ASKED = "asked"  # waiting for Sí / No
    ANSWERED = "answered"  # a signal helpful / not_helpful was stored
    IGNORED = "ignored"  # the customer wrote something else (answered by the bot as usual)
    EXPIRED = "expired"  # no answer within LEARNING_FEEDBACK_MINUTES


class FeedbackAsk(Base):
    """A "¿Te ha servido?" sent after an FAQ answer."""

    __tablename__ = "learning_feedback_asks"
    __table_args__ = (
        sa.Index("ix_learning_feedback_asks_conversation_id_state", "conversation_id", "state"),
        sa.Index("ix_learning_feedback_asks_message_id", "message_id"),
        sa.Index("ix_learning_feedback_asks_question_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversations.id", ondelete="CASCADE"))
    #: The customer's query the answer was for.
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("messages.id", ondelete="CASCADE"))
    #: The question "¿Te ha servido?" itself.
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("messages.id", ondelete="SET NULL"))
    #: Why it was asked: unsure (not clearly confident) | sampled.
    why: Mapped[str] = mapped_column(sa.String(12))
    state: Mapped[str] = mapped_column(sa.String(12), default=AskState.ASKED)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
