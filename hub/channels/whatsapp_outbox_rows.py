"""The WhatsApp outbox's statements: take due rows, and record how each send ended.

A sender pass reads the due rows and claims the ones it will send in one transaction (one SELECT,
one UPDATE ... RETURNING), instead of a claim per row before its send. A claim moves the row's
``next_attempt_at`` a lease ahead, so no other hub process picks it meanwhile; a row another process
claimed first is not returned, and the rows of its conversation after it are given back
(:func:`release`): a conversation's messages go out in order. A send's end is one UPDATE of the row
(and, for a message, its status from all its parts). Core statements: the sender is on every
WhatsApp reply's path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.channels.whatsapp_statuses import CHANNEL, fail_message, update_message
from hub.models import OutboxEntry, utcnow

__all__ = [
    "LEASE",
    "Row",
    "claim",
    "done",
    "due",
    "failed",
    "insert_claimed",
    "release",
    "retry_at",
    "sending",
]

LEASE = timedelta(seconds=60)  # a row being sent is not picked again before this

_T = cast(sa.Table, OutboxEntry.__table__)
_PENDING = (_T.c.channel == CHANNEL, _T.c.state == "pending")
_READS_FIRST = sa.case((_T.c.kind == "read", 0), else_=1)


@dataclass(frozen=True, slots=True)
class Row:
    """A due row as a pass sees it; ``attempts`` counts this pass's claim once claimed."""

    id: int
    kind: str
    conversation_id: int
    payload: dict[str, Any]
    attempts: int


def _due(now: datetime, limit: int) -> sa.Select[Any]:
    # A conversation with a message waiting for its retry (or being sent by another process) is held.
    waiting = (*_PENDING, _T.c.kind == "message", _T.c.next_attempt_at > now)
    held = sa.select(_T.c.conversation_id).where(*waiting)
    return (
        sa.select(_T.c.id, _T.c.kind, _T.c.conversation_id, _T.c.payload, _T.c.attempts)
        .where(*_PENDING, _T.c.next_attempt_at <= now)
        .where(sa.or_(_T.c.kind == "read", _T.c.conversation_id.not_in(held)))
        .order_by(_READS_FIRST, _T.c.id)
        .limit(limit)
    )


async def due(session: AsyncSession, now: datetime, limit: int) -> list[Row]:
    """Due rows, read receipts first, then oldest first; none of a held conversation."""
    result = await session.execute(_due(now, limit))
    return [Row(*r) for r in result.all()]


_SENDING = (
    sa.select(_T.c.id)
    .where(*_PENDING, _T.c.kind == "message", _T.c.conversation_id == sa.bindparam("conversation_id"))
    .limit(1)
)


async def sending(session: AsyncSession, conversation_id: int) -> bool:
    """A message of the conversation is still to be sent (due, waiting for its retry, or being sent)."""
    connection = await session.connection()
    found = await connection.execute(_SENDING, {"conversation_id": conversation_id})
    return found.first() is not None


_INSERT_CLAIMED = sa.insert(_T).returning(_T.c.id, sort_by_parameter_order=True)


async def insert_claimed(session: AsyncSession, parts: list[dict[str, Any]], now: datetime) -> list[Row]:
    """Insert a message's rows already claimed by this sender (as :func:`claim` would), in order."""
    claimed = [{**part, "attempts": 1, "next_attempt_at": now + LEASE} for part in parts]
    connection = await session.connection()  # Core: on a WhatsApp answer's path
    result = await connection.execute(_INSERT_CLAIMED, claimed)
    return [
        Row(row_id, part["kind"], part["conversation_id"], part["payload"], 1)
        for (row_id,), part in zip(result.all(), claimed, strict=True)
    ]


async def claim(session: AsyncSession, rows: Sequence[Row], now: datetime) -> dict[int, int]:
    """Claim ``rows`` for this sender; {id: attempts} of those no other process took first."""
    if not rows:
        return {}
    statement = (
        sa.update(_T)
        .where(
            _T.c.id.in_([r.id for r in rows]),
            _T.c.state == "pending",
            _T.c.next_attempt_at <= now,
        )
        .values(attempts=_T.c.attempts + 1, next_attempt_at=now + LEASE)
        .returning(_T.c.id, _T.c.attempts)
    )
    result = await session.execute(statement)
    return {row_id: attempts for row_id, attempts in result.all()}


async def release(session: AsyncSession, ids: Iterable[int]) -> None:
    """Give back claimed rows that were not sent (an earlier row of their conversation stopped)."""
    ids = list(ids)
    if ids:
        await session.execute(
            sa.update(_T)
            .where(_T.c.id.in_(ids), _T.c.state == "pending")
            .values(attempts=_T.c.attempts - 1, next_attempt_at=utcnow())
        )


async def retry_at(session: AsyncSession, row_id: int, at: datetime, error: dict[str, Any]) -> None:
    await session.execute(sa.update(_T).where(_T.c.id == row_id).values(next_attempt_at=at, error=error))


async def failed(session: AsyncSession, row_id: int, error: dict[str, Any]) -> None:
    """The Graph API refused the row for good: the row and its message are failed, with the reason."""
    message_id = await session.scalar(
        sa.update(_T).where(_T.c.id == row_id).values(state="failed", error=error).returning(_T.c.message_id)
    )
    if message_id is not None:
        await fail_message(session, message_id, error)


async def done(session: AsyncSession, row_id: int, wamid: str | None) -> None:
    """The Graph API accepted the row: done, and a message's part records its wamid and ``sent``."""
    is_message = _T.c.kind == "message"
    found = (
        await session.execute(
            sa.update(_T)
            .where(_T.c.id == row_id)
            .values(
                state="done",
                sent_at=utcnow(),
                error=None,
                channel_message_id=sa.case((is_message, wamid), else_=_T.c.channel_message_id),
                # a status never goes backwards: only a part without one becomes "sent"
                delivery=sa.case((is_message, sa.func.coalesce(_T.c.delivery, "sent")), else_=_T.c.delivery),
            )
            .returning(_T.c.kind, _T.c.message_id, _T.c.part)
        )
    ).first()
    if found is not None and found.kind == "message":
        await update_message(session, found.message_id, wamid if found.part == 0 else None)
