"""The change log of the FAQ: one row per published change, with author, time, before and after.

``before``/``after`` are the entry's language version as the editor shows it (``EntryFields``), None for a
creation (before) or a deletion (after). ``source`` says who made it: ``editor`` (a person in /faq) or
``revert``; later tools (learning, the knowledge-gap report) add their own, so anyone can read what changed
in the FAQ and why (issue 16).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub.models import Base, utcnow

__all__ = ["CREATE", "DELETE", "UPDATE", "FaqChange"]

CREATE, UPDATE, DELETE = "create", "update", "delete"


class FaqChange(Base):
    __tablename__ = "faq_changes"
    __table_args__ = (sa.Index("ix_faq_changes_entry_id_created_at", "entry_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(sa.String(80))
    lang: Mapped[str] = mapped_column(sa.String(8))  # the language after the change (before, if deleted)
    kind: Mapped[str] = mapped_column(sa.String(8))  # create | update | delete
    source: Mapped[str] = mapped_column(sa.String(16), default="editor")
    before: Mapped[dict[str, Any] | None] = mapped_column()
    after: Mapped[dict[str, Any] | None] = mapped_column()
    agent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agents.id", ondelete="SET NULL"))
    author: Mapped[str] = mapped_column(sa.String(120))  # the name at the time, kept if the agent goes
    reverts_id: Mapped[int | None] = mapped_column(sa.ForeignKey("faq_changes.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
