"""Which unanswered questions a published FAQ entry now covers (a cluster "handled"), on the hub's Base."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

import faq_editor.models  # noqa: F401  (faq_changes, which a row points at, on Base.metadata)
import handoff.models  # noqa: F401  (agents)
from hub.models import Base, utcnow

__all__ = ["Handled"]


class Handled(Base):
    """One customer question (an incoming message) that an FAQ entry was published for."""

    __tablename__ = "knowledge_gaps_handled"

    #: The customer's question; the row goes with it (erasure, retention).
    message_id: Mapped[int] = mapped_column(
        sa.ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    entry_id: Mapped[str] = mapped_column(sa.String(80))
    lang: Mapped[str] = mapped_column(sa.String(8))
    #: The FAQ editor's change that published the entry, if known.
    change_id: Mapped[int | None] = mapped_column(sa.ForeignKey("faq_changes.id", ondelete="SET NULL"))
    agent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agents.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime] = mapped_column(default=utcnow)
