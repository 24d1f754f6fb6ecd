"""The record an erasure leaves behind: ids, counts, who and when; nothing personal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub.models import Base, JSONType, utcnow

__all__ = ["Erasure"]


class Erasure(Base):
    """The anonymous record of one deletion of personal data (hub/privacy): ids, counts, who, when.

    ``reason``: ``request`` (a supervisor or the operator CLI erased a contact) or ``retention``
    (RETENTION_DAYS). ``requested_by``: ``agent <id>``, ``cli`` or ``retention``. No text, name,
    email, phone or source id is kept: the ids point at rows that no longer exist.
    """

    __tablename__ = "erasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(sa.String(16))
    requested_by: Mapped[str] = mapped_column(sa.String(100))
    conversation_ids: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)  # rows deleted per table
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
