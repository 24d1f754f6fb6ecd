"""Tables of the surveys: one row per question asked, one per follow-up (on the hub's ``Base``)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub.models import Base, utcnow

__all__ = ["CSAT", "NPS", "FollowUp", "Survey", "SurveyState"]

CSAT, NPS = "csat", "nps"


class SurveyState(StrEnum):
    ASKED = "asked"  # waiting for the score
    COMMENTING = "commenting"  # CSAT scored, waiting for the optional comment
    ANSWERED = "answered"  # stored as the event survey_answered
    DROPPED = "dropped"  # the customer wrote something else, or never answered


class Survey(Base):
    """A CSAT or NPS question sent after a resolution, and its answer."""

    __tablename__ = "surveys"
    __table_args__ = (
        sa.Index("ix_surveys_conversation_id_state", "conversation_id", "state"),
        sa.Index("ix_surveys_contact_id_kind_sent_at", "contact_id", "kind", "sent_at"),
        sa.Index("ix_surveys_state_sent_at", "state", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversations.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(8))  # csat | nps
    state: Mapped[str] = mapped_column(sa.String(16), default=SurveyState.ASKED)
    score: Mapped[int | None] = mapped_column()
    comment: Mapped[str | None] = mapped_column(sa.Text)
    #: Ask NPS once this CSAT is answered (the contact had none in SURVEYS_NPS_EVERY_DAYS).
    then_nps: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    scored_at: Mapped[datetime | None] = mapped_column()


class FollowUp(Base):
    """A bad rating (CSAT 1-2, NPS 0-6) for supervisors to act on, with its conversation."""

    __tablename__ = "follow_ups"
    __table_args__ = (sa.Index("ix_follow_ups_done_at_id", "done_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(8))
    score: Mapped[int] = mapped_column()
    comment: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column()
